import type { Capability } from '../../auth/capability.js'
import { secondFactorGate } from './auth/sign-in-gate.js'

/** Authenticator apps, recovery codes, passkeys, and the second step of a sign-in. */
export const secondFactors: Capability = {
  name: 'second-factors',
  dependsOn: ['sessions'],
  signInGates: [secondFactorGate],
  jobs: [
    {
      name: 'expired second steps',
      run: (auth) => auth.store.mfa.purgeExpiredChallenges(auth.clock.now()),
    },
  ],
}
