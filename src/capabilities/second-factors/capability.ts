import type { Manifest } from '../manifest.js'
import { secondFactorGate } from './auth/sign-in-gate.js'

/** Authenticator apps, recovery codes, passkeys, and the second step of a sign-in. */
export const secondFactors: Manifest = {
  name: 'second-factors',
  dependsOn: ['sessions'],
  signInGates: [secondFactorGate],
  jobs: [
    {
      name: 'expired second steps',
      run: (auth) => auth.store.mfa.purgeExpiredChallenges(auth.clock.now()),
    },
  ],
  http: [{ context: 'root', load: async () => (await import('./http/routes.js')).mfaRoutes }],
  pages: [{ prefix: '/ui', load: async () => (await import('./ui/mfa.js')).mfaRoutes }],
}
