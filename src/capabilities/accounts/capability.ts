import type { Manifest } from '../manifest.js'

/** Users: sign-up, profile, password change, demo users. */
export const accounts: Manifest = {
  name: 'accounts',
  dependsOn: ['sessions', 'machine-access', 'email', 'second-factors', 'apps'],
  http: [
    { context: 'root', load: async () => (await import('./http/routes.js')).accountRoutes },
    { context: 'root', load: async () => (await import('./http/me.js')).meRoutes },
  ],
  pages: [
    { prefix: '/ui', load: async () => (await import('./ui/sign-in.js')).signInRoutes },
    { prefix: '/ui', load: async () => (await import('./ui/account.js')).accountRoutes },
  ],
}
