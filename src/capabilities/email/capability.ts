import type { Manifest } from '../manifest.js'
import { emailReactions } from './auth/reactions.js'
import { verifiedAddressGate } from './auth/sign-in-gate.js'

/** Addresses, mailed links (verify, reset, change), the mail queue. */
export const email: Manifest = {
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
  http: [{ context: 'root', load: async () => (await import('./http/routes.js')).emailRoutes }],
  pages: [
    {
      prefix: '/ui',
      load: async () => (await import('./ui/verify-email.js')).verifyEmailRoutes,
    },
    {
      prefix: '/ui',
      load: async () => (await import('./ui/password-reset.js')).passwordResetRoutes,
    },
  ],
}
