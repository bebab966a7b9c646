import { GatehouseError } from '../../../errors/index.js'
import { hashOpaqueToken, hasTokenShape, TOKEN_PREFIXES } from '../../../tokens/opaque-token.js'
import { recordAudit } from '../../../auth/audit.js'
import type { OAuthClient } from '../../machine-access/index.js'
import type { AuthDeps, RequestContext } from '../../../auth/deps.js'
import { refresh } from '../../sessions/index.js'
import { revokeSessionTokens } from '../../sessions/index.js'
import { completeSignIn } from '../../sessions/index.js'
import type { TokenPair } from '../../sessions/index.js'
import { issueIdToken } from './id-token.js'
import { verifierMatches } from './pkce.js'

export interface AppTokens {
  accessToken: string
  expiresIn: number
  scope: string
  /** With `openid`. */
  idToken: string | null
  /** With `offline_access`. */
  refreshToken: string | null
}

export interface CodeExchange {
  code: string | undefined
  redirectUri: string | undefined
  codeVerifier: string | undefined
}

/**
 * RFC 6749 §4.1.3 with RFC 7636: the code, for the client it was issued to, at the
 * redirect URI it went to, with the verifier of its challenge. A code is spent once; a
 * second use is `invalid_grant` and ends the session the first use opened (§4.1.2), even
 * when the two race: the loser of the spend, or a reuse seen while the winner is still
 * opening its session, makes the winner end it.
 */
export async function exchangeAuthorizationCode(
  deps: AuthDeps,
  client: OAuthClient,
  input: CodeExchange,
  context: RequestContext,
): Promise<AppTokens> {
  assertMayUse(client, 'authorization_code')
  if (input.code === undefined) throw new GatehouseError('invalid_request', 'code is required')
  if (input.redirectUri === undefined) {
    throw new GatehouseError('invalid_request', 'redirect_uri is required')
  }
  if (input.codeVerifier === undefined) {
    throw new GatehouseError('invalid_request', 'code_verifier is required (PKCE)')
  }
  if (!hasTokenShape(input.code, TOKEN_PREFIXES.authorizationCode)) throw invalidCode()
  const codeHash = hashOpaqueToken(input.code)
  const now = deps.clock.now()
  const found = await deps.store.authorizationCodes.find(codeHash)
  // Another client's code, or the right one at another redirect URI, is refused as if
  // unknown: the code stays good for its own client (§4.1.3).
  if (!found || found.code.clientId !== client.id || found.code.redirectUri !== input.redirectUri) {
    throw invalidCode()
  }
  const code = found.code
  if (found.usedAt !== null) return codeReused(deps, codeHash, client, code.userId, context)
  if (now >= code.expiresAt) throw invalidCode()
  if (!verifierMatches(input.codeVerifier, code.codeChallenge)) {
    throw new GatehouseError('invalid_grant', 'code_verifier does not match the code_challenge')
  }
  if (!(await deps.store.authorizationCodes.spend(codeHash, now))) {
    return codeReused(deps, codeHash, client, code.userId, context)
  }
  const user = await deps.store.users.findById(code.userId)
  if (!user) throw invalidCode()

  let pair: TokenPair
  try {
    // The browser session that got the code passed the second factor when it was
    // opened; the other gates are checked again (the user may be disabled since).
    pair = await completeSignIn(
      deps,
      {
        user,
        method: 'app_code',
        amr: code.amr,
        secondFactorDone: true,
        app: {
          clientId: client.id,
          scopes: code.scopes,
          authTime: code.authTime,
          browserSessionId: code.browserSessionId,
        },
      },
      context,
    )
  } catch (error) {
    // RFC 6749 §5.2: whatever the gate, the grant is what is invalid.
    if (error instanceof GatehouseError) throw invalidCode()
    throw error
  }
  if (!(await deps.store.authorizationCodes.attachSession(codeHash, pair.sessionId))) {
    await endAppSession(deps, pair.sessionId)
    throw new GatehouseError('invalid_grant', 'The authorization code was already used')
  }
  const idToken = code.scopes.includes('openid')
    ? await issueIdToken(deps, client, user, {
        authTime: code.authTime,
        amr: code.amr,
        nonce: code.nonce,
        scopes: code.scopes,
        sid: code.browserSessionId,
      })
    : null
  return appTokens(pair, code.scopes, idToken)
}

/**
 * The refresh_token grant for an app: the token must be the client's (RFC 6749 §6), and
 * rotates with reuse detection exactly like a /login session's. With `openid` a new ID
 * token comes along (OIDC Core §12.2: the original `auth_time`, no `nonce`).
 */
export async function refreshAppTokens(
  deps: AuthDeps,
  client: OAuthClient,
  refreshToken: string,
  context: RequestContext,
): Promise<AppTokens> {
  // A client that may not refresh holds no refresh token: whatever it presents (a
  // first-party session's, another app's) is not its own (RFC 6749 §6).
  if (!client.grantTypes.includes('refresh_token')) {
    throw new GatehouseError('invalid_grant', 'No refresh token was issued to this client')
  }
  const pair = await refresh(deps, refreshToken, context, client.id)
  const { session, user } = pair
  const scopes = session.scopes ?? []
  const idToken = scopes.includes('openid')
    ? await issueIdToken(deps, client, user, {
        authTime: session.authTime,
        amr: session.amr,
        nonce: null,
        scopes,
        sid: session.browserSessionId,
      })
    : null
  return appTokens(pair, scopes, idToken)
}

function appTokens(pair: TokenPair, scopes: readonly string[], idToken: string | null): AppTokens {
  return {
    accessToken: pair.accessToken,
    expiresIn: pair.expiresIn,
    scope: scopes.join(' '),
    idToken,
    refreshToken: scopes.includes('offline_access') ? pair.refreshToken : null,
  }
}

function assertMayUse(client: OAuthClient, grant: 'authorization_code'): void {
  if (!client.grantTypes.includes(grant)) {
    throw new GatehouseError('unauthorized_client', `This client may not use ${grant}`)
  }
}

async function codeReused(
  deps: AuthDeps,
  codeHash: string,
  client: OAuthClient,
  userId: string,
  context: RequestContext,
): Promise<never> {
  const sessionId = await deps.store.authorizationCodes.markReused(codeHash, deps.clock.now())
  if (sessionId !== null) await endAppSession(deps, sessionId)
  await recordAudit(deps, 'authorization_code_reused', context, userId, {
    client_id: client.id,
    session_id: sessionId,
  })
  throw new GatehouseError('invalid_grant', 'The authorization code was already used')
}

async function endAppSession(deps: AuthDeps, sessionId: string): Promise<void> {
  if (await deps.store.sessions.revoke(sessionId, deps.clock.now())) {
    await revokeSessionTokens(deps, [sessionId])
  }
}

function invalidCode(): GatehouseError {
  return new GatehouseError('invalid_grant', 'The authorization code is invalid or expired')
}
