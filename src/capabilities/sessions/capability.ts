import type { Manifest } from '../manifest.js'
import { loadRevocations } from './auth/revocation.js'

/** Password sign-in, the one sign-in step, sessions, refresh rotation, revocation. */
export const sessions: Manifest = {
  name: 'sessions',
  dependsOn: [],
  jobs: [
    {
      // Revocations the bus could not bring (Redis down, or none).
      name: 'revocations',
      run: loadRevocations,
    },
  ],
  http: [
    { context: 'root', load: async () => (await import('./http/session.js')).sessionRoutes },
    { context: 'root', load: async () => (await import('./http/sessions.js')).sessionsRoutes },
  ],
}
