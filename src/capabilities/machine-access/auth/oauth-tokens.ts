import { GatehouseError } from '../../../errors/index.js'
import type { AccessTokenClaims } from '../../../tokens/access-token.js'
import {
  hashOpaqueToken,
  hasTokenShape,
  hasValidChecksum,
  TOKEN_PREFIXES,
} from '../../../tokens/opaque-token.js'
import { authenticate, authenticateAccessToken } from '../../sessions/index.js'
import type { Auth } from '../../../auth/context.js'
import type { OAuthClient } from './clients.js'
import { recordAudit } from '../../../auth/audit.js'
import type { AuthDeps, RequestContext } from '../../../auth/deps.js'
import { revokeAccessToken, revokeSessionTokens } from '../../sessions/index.js'

export type Introspection = { active: boolean } & Record<string, unknown>

const INACTIVE: Introspection = { active: false }

/**
 * RFC 7662 introspection of any of our credentials. Anything that is not a live token
 * (garbage included) is just `{"active": false}` (§2.2), never an error.
 */
export async function introspect(
  deps: Auth,
  caller: OAuthClient,
  token: string,
): Promise<Introspection> {
  // RFC 7662 §2.1 leaves who may introspect to the server; knowing that any token is live
  // (and whose it is) is not every client's business, so an admin allows it per client.
  if (!caller.introspect) {
    throw new GatehouseError(
      'unauthorized_client',
      'This client is not allowed to introspect tokens; an admin can allow it',
    )
  }
  try {
    if (token.startsWith(TOKEN_PREFIXES.refreshToken))
      return await introspectRefreshToken(deps, token)
    const claims = await authenticate(deps, token)
    return {
      active: true,
      token_type: claims.kind === 'api_key' ? 'api_key' : 'Bearer',
      scope: claims.scope,
      sub: claims.sub,
      iss: claims.iss,
      aud: claims.aud,
      iat: claims.iat,
      // An API key without an expiry has no `exp` to report (RFC 7662 §2.2: optional).
      ...(claims.expires !== false && {
        exp: claims.exp,
      }),
      ...(claims.kind !== 'api_key' && { jti: claims.jti }),
      ...(claims.client_id !== undefined && { client_id: claims.client_id }),
      ...(claims.username !== undefined && { username: claims.username }),
      ...(claims.sid !== undefined && { sid: claims.sid }),
    }
  } catch (error) {
    if (error instanceof GatehouseError) return INACTIVE
    throw error
  }
}

async function introspectRefreshToken(deps: AuthDeps, token: string): Promise<Introspection> {
  if (!hasTokenShape(token, TOKEN_PREFIXES.refreshToken)) return INACTIVE
  const found = await deps.store.sessions.findRefreshToken(hashOpaqueToken(token))
  const now = deps.clock.now()
  if (
    !found ||
    found.token.rotatedAt !== null ||
    found.session.revokedAt !== null ||
    now >= found.token.expiresAt ||
    now >= found.session.expiresAt
  ) {
    return INACTIVE
  }
  const user = await deps.store.users.findById(found.session.userId)
  if (!user || user.disabled) return INACTIVE
  return {
    active: true,
    token_type: 'refresh_token',
    sub: user.id,
    username: user.username,
    iss: deps.settings.issuer,
    iat: Math.floor(found.token.createdAt / 1000),
    exp: Math.floor(found.token.expiresAt / 1000),
    sid: found.session.id,
  }
}

/**
 * RFC 7009 revocation of a token issued to the calling client: a refresh token ends its
 * session, an access token is revoked. Unknown or invalid tokens are not an error
 * (§2.2); a token issued to anyone else (another client, `/login`'s first-party client, an
 * API key's owner) is refused (§2.1), so no client can log a user out or revoke their keys.
 */
export async function revokeToken(
  deps: Auth,
  caller: OAuthClient,
  token: string,
  context: RequestContext,
): Promise<void> {
  if (token.startsWith(TOKEN_PREFIXES.refreshToken)) {
    if (!hasTokenShape(token, TOKEN_PREFIXES.refreshToken)) return
    const found = await deps.store.sessions.findRefreshToken(hashOpaqueToken(token))
    if (found === undefined) return
    if (found.session.clientId !== caller.id) throw notIssuedToCaller()
    if (await deps.store.sessions.revoke(found.session.id, deps.clock.now())) {
      await revokeSessionTokens(deps, [found.session.id])
      await recordAudit(deps, 'session_revoked', context, found.session.userId, {
        session_id: found.session.id,
        by_client: caller.id,
      })
    }
    return
  }
  if (token.startsWith(TOKEN_PREFIXES.apiKey)) {
    if (!hasValidChecksum(token, TOKEN_PREFIXES.apiKey)) return
    // API keys belong to a person, never to a client.
    if (await deps.store.apiKeys.findByHash(hashOpaqueToken(token))) throw notIssuedToCaller()
    return
  }
  let claims: AccessTokenClaims
  try {
    claims = await authenticateAccessToken(deps, token)
  } catch (error) {
    if (error instanceof GatehouseError) return
    throw error
  }
  if (claims.client_id !== caller.id) throw notIssuedToCaller()
  await revokeAccessToken(deps, claims)
}

function notIssuedToCaller(): GatehouseError {
  return new GatehouseError('unauthorized_client', 'The token was not issued to this client')
}
