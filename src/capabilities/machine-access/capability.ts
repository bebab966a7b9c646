import type { Manifest } from '../manifest.js'

/** API keys, OAuth clients, the client-credentials grant, introspection and revocation. */
export const machineAccess: Manifest = {
  name: 'machine-access',
  dependsOn: ['sessions'],
  http: [{ context: 'root', load: async () => (await import('./http/api-keys.js')).apiKeyRoutes }],
}
