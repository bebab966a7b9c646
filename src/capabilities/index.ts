import type { Manifest } from './manifest.js'
import { accounts } from './accounts/capability.js'
import { admin } from './admin/capability.js'
import { apps } from './apps/capability.js'
import { email } from './email/capability.js'
import { keys } from './keys/capability.js'
import { machineAccess } from './machine-access/capability.js'
import { secondFactors } from './second-factors/capability.js'
import { sessions } from './sessions/capability.js'

/**
 * Every capability, each after those it depends on. The order is the order of their sign-in
 * gates (verified address before second factor) and of their upkeep jobs. A new capability
 * is one line here.
 */
export const capabilities: readonly Manifest[] = [
  keys,
  sessions,
  machineAccess,
  email,
  secondFactors,
  apps,
  accounts,
  admin,
]
