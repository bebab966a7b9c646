import type { AccessTokenClaims } from './access-token.js'

/**
 * Who acts: a person through a session's token (`user`), a person's API key (`api_key`),
 * or an OAuth client for itself (`client`: client credentials, RFC 9068 §2.2, `sub` is the
 * `client_id`).
 */
export type PrincipalKind = 'user' | 'api_key' | 'client'

/**
 * The verified credential of a request: the claims it stands for, and what kind of
 * credential it is. Computed once per credential (verification and the API-key cache keep
 * it), never per request.
 */
export type Principal = AccessTokenClaims & {
  readonly kind: PrincipalKind
  /** The API key's id (kind `api_key`). */
  readonly apiKeyId?: string
  /** False for an API key that never expires: its `exp` is only the cache's horizon. */
  readonly expires?: boolean
}

/** The principal of a verified access token. */
export function principalOfToken(claims: AccessTokenClaims): Principal {
  const kind = claims.client_id !== undefined && claims.sub === claims.client_id ? 'client' : 'user'
  return { ...claims, kind }
}
