import type { Capability } from '../../auth/capability.js'

/** Users: sign-up, profile, password change, demo users. */
export const accounts: Capability = {
  name: 'accounts',
  dependsOn: ['sessions', 'machine-access'],
}
