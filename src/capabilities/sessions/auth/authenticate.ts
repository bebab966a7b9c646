import { GatehouseError } from '../../../errors/index.js'
import { TOKEN_PREFIXES } from '../../../tokens/opaque-token.js'
import type { Auth, Principal } from '../../../auth/context.js'

/**
 * Verifies an access token or API key, and that it is not revoked. Synchronous for
 * credentials seen before (the hot path: no I/O, no promise), a promise otherwise.
 * Throws `GatehouseError` (`invalid_token`, `token_expired`, `token_revoked`).
 */
export function authenticate(auth: Auth, token: string): Principal | Promise<Principal> {
  return token.startsWith(TOKEN_PREFIXES.apiKey)
    ? auth.apiKeys.authenticate(token)
    : authenticateAccessToken(auth, token)
}

/** An access token (never an API key): signature, claims, then the revocation list. */
export function authenticateAccessToken(auth: Auth, token: string): Principal | Promise<Principal> {
  const verified = auth.verifier.verify(token)
  const check = (claims: Principal): Principal => {
    if (auth.revocations.isRevoked(claims.jti, claims.sid, claims.sub, auth.clock.now())) {
      throw new GatehouseError('token_revoked')
    }
    return claims
  }
  return verified instanceof Promise ? verified.then(check) : check(verified)
}
