import type { Capability } from '../../auth/capability.js'

const DAY_MS = 86_400_000

/** The OpenID Connect provider: authorization, consent, code exchange, ID tokens, logout. */
export const apps: Capability = {
  name: 'apps',
  dependsOn: ['sessions', 'machine-access', 'keys'],
  jobs: [
    {
      // Used codes are kept a day past their expiry, so a late replay still ends what the
      // first use issued (RFC 6749 §4.1.2) instead of looking like an unknown code.
      name: 'expired authorization codes',
      run: (auth) => auth.store.authorizationCodes.purgeExpired(auth.clock.now() - DAY_MS),
    },
  ],
}
