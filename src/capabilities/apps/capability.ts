import type { Manifest } from '../manifest.js'

const DAY_MS = 86_400_000

/** The OpenID Connect provider: authorization, consent, code exchange, ID tokens, logout. */
export const apps: Manifest = {
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
  http: [
    { context: 'root', load: async () => (await import('./http/well-known.js')).wellKnownRoutes },
    { context: 'root', load: async () => (await import('./http/grants.js')).grantRoutes },
    { context: 'oauth', load: async () => (await import('./http/oauth.js')).oauthRoutes },
    { context: 'oauth', load: async () => (await import('./http/userinfo.js')).userinfoRoutes },
  ],
  pages: [{ prefix: '/oauth', load: async () => (await import('./ui/apps.js')).appRoutes }],
  pageHooks: [{ load: async () => (await import('./ui/apps.js')).allowAppRedirectOf }],
}
