import type { Manifest } from '../manifest.js'

/** The admin API over users, their sessions, keys and factors. */
export const admin: Manifest = {
  name: 'admin',
  dependsOn: ['accounts', 'sessions', 'machine-access', 'second-factors', 'keys'],
  http: [{ context: 'admin', load: async () => (await import('./http/routes.js')).adminRoutes }],
  pages: [{ prefix: '/ui', load: async () => (await import('./ui/admin.js')).adminRoutes }],
}
