import { newId } from '../../../ids.js'
import type { SessionRecord, UserRecord } from '../../../store/store.js'
import { issueAccessToken, type AccessTokenClaims } from '../../../tokens/access-token.js'
import {
  generateOpaqueToken,
  hashOpaqueToken,
  TOKEN_PREFIXES,
} from '../../../tokens/opaque-token.js'
import type { AuthDeps, RequestContext } from '../../../auth/deps.js'
import { DEFAULT_USER_SCOPES } from '../../../auth/rbac.js'

export interface TokenPair {
  accessToken: string
  /** The token's `jti`, e.g. to bind a CSRF token to it. */
  accessTokenId: string
  refreshToken: string
  /** Access-token lifetime in seconds. */
  expiresIn: number
  /** Seconds until the refresh token expires (idle limit or session end). */
  refreshExpiresIn: number
  sessionId: string
  /** Space-separated scopes of the access token. */
  scope: string
}

/** Who `/login` issues tokens to (RFC 9068 §2.2 `client_id`): Gatehouse itself. */
export const FIRST_PARTY_CLIENT_ID = 'gatehouse'

/**
 * Whether a token stands for a sign-in at Gatehouse itself (`/login`, the hosted pages),
 * as opposed to an app's token for the same person. Only such a token may act as the
 * person's browser session or manage their account: an app holds what the person granted
 * it, never the person's own powers.
 */
export function isFirstPartyToken(claims: Pick<AccessTokenClaims, 'client_id'>): boolean {
  return claims.client_id === FIRST_PARTY_CLIENT_ID
}

/** RFC 8176: a password login. */
export const PASSWORD_AMR: readonly string[] = ['pwd']

/**
 * An access token for a user in a session; `fresh` only straight after a password check.
 * `client_id`, `auth_time`, `amr` and (for an app) the scopes come from the session, so a
 * refresh keeps the values of the login it descends from. An app's token carries the
 * scopes the user granted it, claims only as those scopes release them (`username` with
 * `profile`), and none of the user's roles: consenting to an app never hands it the
 * user's admin powers.
 */
export function issueUserAccessToken(
  deps: AuthDeps,
  user: UserRecord,
  session: Pick<SessionRecord, 'id' | 'clientId' | 'authTime' | 'amr' | 'scopes'>,
  fresh: boolean,
) {
  const extra = deps.additionalClaims?.({ id: user.id, username: user.username, roles: user.roles })
  const firstParty = session.clientId === FIRST_PARTY_CLIENT_ID
  return issueAccessToken(
    deps.keyRing.signingKey(),
    {
      ...(extra !== undefined && { extra }),
      subject: user.id,
      sessionId: session.id,
      clientId: session.clientId,
      authentication: { at: session.authTime, methods: session.amr },
      // An app learns the username only with `profile`, as from its ID token and userinfo.
      ...((firstParty || session.scopes?.includes('profile')) && { username: user.username }),
      roles: firstParty ? user.roles : [],
      scopes: session.scopes ?? DEFAULT_USER_SCOPES,
      fresh: fresh && firstParty,
    },
    {
      issuer: deps.settings.issuer,
      audience: deps.settings.audience,
      ttl: deps.settings.accessTtl,
      clock: deps.clock,
    },
  )
}

/** When a refresh token issued now expires: idle limit, capped by the session's end. */
export function refreshTokenExpiry(deps: AuthDeps, sessionExpiresAt: number): number {
  return Math.min(deps.clock.now() + deps.settings.refreshTtl * 1000, sessionExpiresAt)
}

/** What an app's session was granted by the user's consent (the authorization code). */
export interface AppSessionGrant {
  clientId: string
  scopes: readonly string[]
  /** When the user signed in (epoch ms): the session opens later, at the code exchange. */
  authTime: number
  /** The browser session the sign-in came from (OIDC `sid`). */
  browserSessionId: string | null
}

/**
 * Opens a session (one refresh-token family) and issues its first, fresh, pair. `amr` says
 * how the user signed in (RFC 8176); every token of the session repeats it. Only
 * `completeSignIn` (auth/sign-in.ts) calls this, after the sign-in gates; lint keeps it so.
 */
export async function openSession(
  deps: AuthDeps,
  user: UserRecord,
  context: RequestContext,
  amr: readonly string[],
  app?: AppSessionGrant,
): Promise<TokenPair> {
  const now = deps.clock.now()
  const sessionId = newId()
  const sessionExpiresAt = now + deps.settings.sessionMaxAge * 1000
  const refreshToken = generateOpaqueToken(TOKEN_PREFIXES.refreshToken)
  const refreshExpiresAt = refreshTokenExpiry(deps, sessionExpiresAt)
  const session: SessionRecord = {
    id: sessionId,
    userId: user.id,
    createdAt: now,
    lastUsedAt: now,
    expiresAt: sessionExpiresAt,
    ip: context.ip,
    userAgent: context.userAgent,
    revokedAt: null,
    clientId: app?.clientId ?? FIRST_PARTY_CLIENT_ID,
    amr: [...amr],
    scopes: app ? [...app.scopes] : null,
    authTime: app?.authTime ?? now,
    browserSessionId: app?.browserSessionId ?? null,
  }
  await deps.store.sessions.create(session, {
    tokenHash: hashOpaqueToken(refreshToken),
    sessionId,
    createdAt: now,
    expiresAt: refreshExpiresAt,
  })
  const access = issueUserAccessToken(deps, user, session, app === undefined)
  return {
    accessToken: access.token,
    accessTokenId: access.claims.jti,
    refreshToken,
    expiresIn: deps.settings.accessTtl,
    refreshExpiresIn: Math.floor((refreshExpiresAt - now) / 1000),
    sessionId,
    scope: access.claims.scope,
  }
}
