import { GatehouseError } from '../../../errors/index.js'
import type { SessionRecord } from '../../../store/store.js'
import type { AccessTokenClaims } from '../../../tokens/access-token.js'
import { recordAudit } from '../../../auth/audit.js'
import type { AuthDeps, RequestContext } from '../../../auth/deps.js'
import { paginate, type Page, type PageRequest } from '../../../auth/pagination.js'
import { endSessionsOf, revokeAccessToken, revokeSessionTokens } from './revocation.js'
import { assertSecondFactorIfEnrolled } from '../../../auth/step-up.js'
import { FIRST_PARTY_CLIENT_ID } from './token-pair.js'

export type LogoutScope = 'local' | 'others' | 'global'

export interface SessionView {
  id: string
  createdAt: number
  lastUsedAt: number
  expiresAt: number
  ip: string | null
  userAgent: string | null
  /** The session of the token making the request. */
  current: boolean
  /** `gatehouse` for a sign-in here, else the app (OAuth client) it belongs to. */
  clientId: string
  /** The app's name for an app's session (null for a sign-in here, or a deleted app). */
  appName: string | null
}

/**
 * Ends this session (`local`), the user's other sessions (`others`) or all of them
 * (`global`), and returns how many ended. With `local` and `global` the presented access
 * token is revoked until it expires; with `others` the caller stays logged in, so its
 * own token and session are kept (as Supabase Auth does).
 */
export async function logout(
  deps: AuthDeps,
  principal: AccessTokenClaims,
  scope: LogoutScope,
  context: RequestContext,
): Promise<number> {
  const now = deps.clock.now()
  const userId = principal.sub
  const sid = principal.sid
  if (scope !== 'local') await assertSecondFactorIfEnrolled(deps, principal, 'end other sessions')
  let revoked: string[]
  if (scope === 'local') {
    revoked = sid !== undefined && (await deps.store.sessions.revoke(sid, now)) ? [sid] : []
    await revokeSessionTokens(deps, revoked)
  } else {
    revoked = await endSessionsOf(deps, userId, { except: scope === 'others' ? sid : undefined })
  }
  if (scope !== 'others') await revokeAccessToken(deps, principal)
  await recordAudit(deps, 'logout', context, userId, { scope, sessions_revoked: revoked.length })
  return revoked.length
}

export async function listSessions(
  deps: AuthDeps,
  principal: AccessTokenClaims,
  request: PageRequest,
): Promise<Page<SessionView>> {
  const page = await paginate(
    request,
    (after) => deps.store.sessions.listActiveForUser(principal.sub, deps.clock.now(), after),
    (session) => ({ at: session.createdAt, id: session.id }),
    (session) => toSessionView(session, principal.sid),
  )
  // An app's session is named after the app: one lookup per app on the page.
  const apps = new Set(
    page.items.map((s) => s.clientId).filter((id) => id !== FIRST_PARTY_CLIENT_ID),
  )
  const names = new Map<string, string>()
  for (const id of apps) {
    const client = await deps.store.clients.findById(id)
    if (client) names.set(id, client.name)
  }
  return {
    ...page,
    items: page.items.map((item) => ({ ...item, appName: names.get(item.clientId) ?? null })),
  }
}

/** Ends one of the caller's own sessions; anyone else's is reported as not found. */
export async function revokeSession(
  deps: AuthDeps,
  principal: AccessTokenClaims,
  sessionId: string,
  context: RequestContext,
): Promise<void> {
  const session = await deps.store.sessions.findById(sessionId)
  if (session && session.userId === principal.sub && sessionId !== principal.sid) {
    await assertSecondFactorIfEnrolled(deps, principal, 'end other sessions')
  }
  const now = deps.clock.now()
  if (
    !session ||
    session.userId !== principal.sub ||
    !(await deps.store.sessions.revoke(sessionId, now))
  ) {
    throw new GatehouseError('not_found', 'No such session')
  }
  await revokeSessionTokens(deps, [sessionId])
  await recordAudit(deps, 'session_revoked', context, principal.sub, { session_id: sessionId })
}

function toSessionView(session: SessionRecord, currentSid: string | undefined): SessionView {
  return {
    id: session.id,
    createdAt: session.createdAt,
    lastUsedAt: session.lastUsedAt,
    expiresAt: session.expiresAt,
    ip: session.ip,
    userAgent: session.userAgent,
    current: session.id === currentSid,
    clientId: session.clientId,
    appName: null,
  }
}
