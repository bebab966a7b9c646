import type { Capability } from '../../auth/capability.js'
import { loadRevocations } from './auth/revocation.js'

/** Password sign-in, the one sign-in step, sessions, refresh rotation, revocation. */
export const sessions: Capability = {
  name: 'sessions',
  dependsOn: [],
  jobs: [
    {
      // Revocations the bus could not bring (Redis down, or none).
      name: 'revocations',
      run: loadRevocations,
    },
  ],
}
