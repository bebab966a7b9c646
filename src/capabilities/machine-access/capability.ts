import type { Capability } from '../../auth/capability.js'

/** API keys, OAuth clients, the client-credentials grant, introspection and revocation. */
export const machineAccess: Capability = {
  name: 'machine-access',
  dependsOn: ['sessions'],
}
