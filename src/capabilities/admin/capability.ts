import type { Capability } from '../../auth/capability.js'

/** The admin API over users, their sessions, keys and factors. */
export const admin: Capability = {
  name: 'admin',
  dependsOn: ['accounts', 'sessions', 'machine-access', 'second-factors'],
}
