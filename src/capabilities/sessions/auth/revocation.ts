import { newId } from '../../../ids.js'
import type { AccessTokenClaims } from '../../../tokens/access-token.js'
import type { RevocationEntry } from '../../../store/store.js'
import type { AuthDeps } from '../../../auth/deps.js'

/**
 * Revokes entries durably (the store, so a restarted or new instance learns them) and in
 * this process's list (so the very next request is refused).
 */
async function revoke(deps: AuthDeps, entries: RevocationEntry[]): Promise<void> {
  const now = deps.clock.now()
  for (const entry of entries) {
    await deps.store.revocations.add(entry, now)
    deps.revocations.add(entry, now)
    deps.bus.publish({ type: 'revoked', entry })
  }
}

/** The presented access token stops working now, everywhere it is checked. */
export function revokeAccessToken(deps: AuthDeps, claims: AccessTokenClaims): Promise<void> {
  const expiresAt = (claims.exp + deps.settings.leeway) * 1000
  return revoke(deps, [{ kind: 'jti', value: claims.jti, expiresAt }])
}

/**
 * Access tokens of these sessions stop working now. They can be at most one access-token
 * lifetime old, so that is how long the entries are kept.
 */
export function revokeSessionTokens(deps: AuthDeps, sessionIds: readonly string[]): Promise<void> {
  const expiresAt = deps.clock.now() + (deps.settings.accessTtl + deps.settings.leeway) * 1000
  return revoke(
    deps,
    sessionIds.map((value) => ({ kind: 'sid', value, expiresAt })),
  )
}

/**
 * Every token of a user or client issued until now stops working; tokens issued from now
 * on (a refresh after a role change) work. Sessions are not ended.
 */
export function revokeSubjectUntilNow(deps: AuthDeps, subject: string): Promise<void> {
  const expiresAt = deps.clock.now() + (deps.settings.accessTtl + deps.settings.leeway) * 1000
  return revoke(deps, [{ kind: 'sub', value: subject, expiresAt, before: newId() }])
}

/**
 * What ends a person's access ends everything derived from it: their sessions (all, all
 * but `except`, or those of one app), those sessions' access tokens, and the
 * authorization codes not yet exchanged — a code minted a moment before would otherwise
 * open a new app session afterwards (within its 60 s). Returns the ended sessions' ids.
 */
export async function endSessionsOf(
  deps: AuthDeps,
  userId: string,
  options: { except?: string | undefined; clientId?: string } = {},
): Promise<string[]> {
  const now = deps.clock.now()
  // Codes first: an exchange racing this call then either fails to spend its code, or
  // fails to attach the session it opened and ends it itself.
  await deps.store.authorizationCodes.voidForUser(userId, options.clientId ?? null, now)
  const ended =
    options.clientId === undefined
      ? await deps.store.sessions.revokeAllForUser(userId, now, options.except)
      : await deps.store.sessions.revokeAllForUserAndClient(userId, options.clientId, now)
  await revokeSessionTokens(deps, ended)
  return ended
}

/** Fills this process's list from the store at start. */
export async function loadRevocations(deps: AuthDeps): Promise<number> {
  const now = deps.clock.now()
  const entries = await deps.store.revocations.listActive(now)
  for (const entry of entries) deps.revocations.add(entry, now)
  await deps.store.revocations.purgeExpired(now)
  return entries.length
}
