import type { Capability } from '../../auth/capability.js'
import { emailReactions } from './auth/reactions.js'
import { verifiedAddressGate } from './auth/sign-in-gate.js'

/** Addresses, mailed links (verify, reset, change), the mail queue. */
export const email: Capability = {
  name: 'email',
  dependsOn: ['sessions', 'machine-access'],
  signInGates: [verifiedAddressGate],
  on: emailReactions,
  jobs: [
    {
      name: 'expired links',
      run: (auth) => auth.store.emailTokens.purgeExpired(auth.clock.now()),
    },
  ],
}
