import { GatehouseError } from '../../../errors/index.js'
import type { RefreshTokenRecord, SessionRecord, UserRecord } from '../../../store/store.js'
import {
  deriveSuccessorToken,
  hashOpaqueToken,
  hasTokenShape,
  TOKEN_PREFIXES,
} from '../../../tokens/opaque-token.js'
import { recordAudit } from '../../../auth/audit.js'
import type { AuthDeps, RequestContext } from '../../../auth/deps.js'
import { revokeSessionTokens } from './revocation.js'
import {
  FIRST_PARTY_CLIENT_ID,
  issueUserAccessToken,
  refreshTokenExpiry,
  type TokenPair,
} from './token-pair.js'

/**
 * Exchanges a refresh token for a new pair; the presented token dies (rotation).
 *
 * - Rotation is a compare-and-swap in the store, so of concurrent refreshes exactly one
 *   rotates; the others see the token as rotated.
 * - A rotated token presented within the reuse window gets the same successor (it is
 *   derived, not random), so two tabs refreshing at once both stay logged in.
 * - A rotated token presented after the window was replayed by someone holding an old
 *   token: the whole session (the rotation family) is revoked and the event audited
 *   (RFC 9700 §4.14.2).
 */
/** A refresh's new pair, with the session and user it was issued for. */
export interface Refreshed extends TokenPair {
  session: SessionRecord
  user: UserRecord
}

export async function refresh(
  deps: AuthDeps,
  refreshToken: string,
  context: RequestContext,
  clientId: string = FIRST_PARTY_CLIENT_ID,
): Promise<Refreshed> {
  // A malformed token is refused without touching the store.
  if (!hasTokenShape(refreshToken, TOKEN_PREFIXES.refreshToken)) throw invalidRefreshToken()
  const tokenHash = hashOpaqueToken(refreshToken)
  const successor = deriveSuccessorToken(deps.successorKey, refreshToken)
  const successorHash = hashOpaqueToken(successor)

  const found = await deps.store.sessions.findRefreshToken(tokenHash)
  if (!found) throw invalidRefreshToken()
  const { token, session } = found
  // RFC 6749 §6: a refresh token works only for the client it was issued to (an app's
  // token is no /refresh token, and no other app's).
  if (session.clientId !== clientId) throw invalidRefreshToken()
  assertSessionUsable(deps, token, session)

  // When this call rotates the token it knows the successor's expiry; a replay reads it.
  let successorExpiresAt: number | undefined
  if (token.rotatedAt === null) {
    const now = deps.clock.now()
    const expiresAt = refreshTokenExpiry(deps, session.expiresAt)
    const won = await deps.store.sessions.rotate(
      tokenHash,
      { tokenHash: successorHash, sessionId: session.id, createdAt: now, expiresAt },
      now,
    )
    if (won) {
      successorExpiresAt = expiresAt
      await recordAudit(deps, 'refresh', context, session.userId, { session_id: session.id })
    } else {
      // A concurrent refresh rotated it a moment ago: read the state it left, and hand out
      // the same successor if inside the window.
      const current = await deps.store.sessions.findRefreshToken(tokenHash)
      await assertWithinReuseWindow(deps, current, successorHash, session, context)
    }
  } else {
    await assertWithinReuseWindow(deps, found, successorHash, session, context)
  }

  const user = await deps.store.users.findById(session.userId)
  if (!user) throw invalidRefreshToken()
  if (user.disabled) throw new GatehouseError('user_disabled')

  const expiresAt =
    successorExpiresAt ??
    (await deps.store.sessions.findRefreshToken(successorHash))?.token.expiresAt ??
    deps.clock.now()
  const access = issueUserAccessToken(deps, user, session, false)
  return {
    accessToken: access.token,
    accessTokenId: access.claims.jti,
    refreshToken: successor,
    expiresIn: deps.settings.accessTtl,
    refreshExpiresIn: Math.max(0, Math.floor((expiresAt - deps.clock.now()) / 1000)),
    sessionId: session.id,
    scope: access.claims.scope,
    session,
    user,
  }
}

function assertSessionUsable(deps: AuthDeps, token: RefreshTokenRecord, session: SessionRecord) {
  if (session.revokedAt !== null) {
    throw new GatehouseError('invalid_refresh_token', 'The session has ended; log in again')
  }
  const now = deps.clock.now()
  if (token.rotatedAt === null && (now >= token.expiresAt || now >= session.expiresAt)) {
    throw new GatehouseError('refresh_token_expired')
  }
}

async function assertWithinReuseWindow(
  deps: AuthDeps,
  current: { token: RefreshTokenRecord; session: SessionRecord } | undefined,
  successorHash: string,
  session: SessionRecord,
  context: RequestContext,
): Promise<void> {
  const rotatedAt = current?.token.rotatedAt ?? null
  const inWindow =
    rotatedAt !== null &&
    deps.clock.now() - rotatedAt <= deps.settings.reuseWindow * 1000 &&
    current?.token.successorHash === successorHash &&
    current.session.revokedAt === null
  if (inWindow) return

  const now = deps.clock.now()
  if (await deps.store.sessions.revoke(session.id, now)) {
    await revokeSessionTokens(deps, [session.id])
    await recordAudit(deps, 'refresh_reuse_detected', context, session.userId, {
      session_id: session.id,
      rotated_at: rotatedAt === null ? null : new Date(rotatedAt).toISOString(),
    })
  }
  throw new GatehouseError('refresh_token_reused')
}

function invalidRefreshToken(): GatehouseError {
  return new GatehouseError('invalid_refresh_token')
}
