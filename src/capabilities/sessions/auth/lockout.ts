import { setTimeout as sleep } from 'node:timers/promises'
import { RateLimitedError } from '../../../errors/index.js'
import { newId } from '../../../ids.js'
import { recordAudit } from '../../../auth/audit.js'
import type { AuthDeps, RequestContext } from '../../../auth/deps.js'

/** While other attempts on the account are in flight, ask again this often… */
const BUSY_RETRY_MS = 20
/** …for at most this long (argon2 takes tens of milliseconds per attempt). */
const BUSY_MAX_WAIT_MS = 10_000

interface AuditOf {
  type: 'login_failure' | 'password_change_failure' | 'mfa_failure'
  userId: string | null
  username?: string
}

/**
 * Runs one password check under the account's lockout: the attempt is admitted before
 * `check` runs (counted against the threshold while in flight, atomically with the check
 * of the wait) and settled with its outcome after. Throws `rate_limited` (audited) while
 * the account must wait. `check` says whether the password was right; if it throws, the
 * attempt is freed without counting.
 */
export async function withPasswordAttempt<T>(
  deps: AuthDeps,
  key: string,
  context: RequestContext,
  audit: AuditOf,
  check: () => Promise<{ matched: boolean; result: T }>,
): Promise<T> {
  const attempt = newId()
  const waitUntil = Date.now() + BUSY_MAX_WAIT_MS
  for (;;) {
    const reservation = await deps.lockout.reserve(key, attempt, deps.clock.now())
    if (reservation.status === 'granted') break
    const wait = reservation.status === 'locked' ? reservation.wait : 0
    if (wait > 0 || Date.now() >= waitUntil)
      await refuse(deps, context, audit, Math.max(wait, 1000))
    await sleep(BUSY_RETRY_MS)
  }
  let outcome: 'success' | 'failure' | 'abandoned' = 'abandoned'
  try {
    const { matched, result } = await check()
    outcome = matched ? 'success' : 'failure'
    return result
  } finally {
    await deps.lockout.settle(key, attempt, outcome, deps.clock.now())
  }
}

async function refuse(
  deps: AuthDeps,
  context: RequestContext,
  audit: AuditOf,
  wait: number,
): Promise<never> {
  deps.telemetry.limited('lockout')
  await recordAudit(deps, audit.type, context, audit.userId, {
    reason: 'locked_out',
    ...(audit.username !== undefined && { username: audit.username }),
  })
  const what = audit.type === 'password_change_failure' ? 'wrong passwords' : 'failed logins'
  throw new RateLimitedError(
    wait,
    `Too many ${what}; try again in ${Math.ceil(wait / 1000)} seconds`,
  )
}
