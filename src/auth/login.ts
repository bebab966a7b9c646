import { GatehouseError, RateLimitedError } from '../errors.js'
import { recordAudit } from './audit.js'
import type { AuthDeps, RequestContext } from './deps.js'
import { MAX_PASSWORD_LENGTH, normalizePassword } from './password-policy.js'
import { openSession, type TokenPair } from './token-pair.js'
import { usernameKeyOrNull } from './username.js'

export interface LoginInput {
  username: string
  password: string
}

/**
 * Checks the password and opens a session. Unknown users and wrong passwords get the same
 * error after the same work (a dummy argon2 verification), so neither the body nor the
 * timing tells whether a username exists. A disabled user learns so only with the right
 * password.
 */
export async function login(
  deps: AuthDeps,
  input: LoginInput,
  context: RequestContext,
): Promise<TokenPair> {
  const password = normalizePassword(input.password)
  const key = usernameKeyOrNull(input.username)
  // Names that cannot exist are throttled like real ones, so lockout reveals nothing.
  const lockKey = key ?? `invalid:${input.username.normalize('NFKC').toLowerCase().slice(0, 128)}`
  // Checked before the password: during a lockout even the right one is not tried.
  const wait = await deps.lockout.waitFor(lockKey, deps.clock.now())
  if (wait > 0) {
    deps.telemetry.limited('lockout')
    await recordAudit(deps, 'login_failure', context, null, {
      reason: 'locked_out',
      ...(key !== null && { username: key }),
    })
    throw new RateLimitedError(
      wait,
      `Too many failed logins; try again in ${Math.ceil(wait / 1000)} seconds`,
    )
  }
  const user = key === null ? undefined : await deps.store.users.findByUsernameKey(key)
  // Over-long passwords cannot match any stored one; refuse them before hashing so a
  // megabyte "password" cannot be used to burn CPU.
  const plausible = [...password].length <= MAX_PASSWORD_LENGTH
  if (!user || !plausible) {
    if (plausible) await deps.hasher.verifyDummy(password)
    await deps.lockout.recordFailure(lockKey, deps.clock.now())
    await recordAudit(deps, 'login_failure', context, user?.id ?? null, {
      reason: user ? 'wrong_password' : 'unknown_user',
      ...(key !== null && { username: key }),
    })
    throw new GatehouseError('invalid_credentials')
  }
  if (!(await deps.hasher.verify(user.passwordHash, password))) {
    await deps.lockout.recordFailure(lockKey, deps.clock.now())
    await recordAudit(deps, 'login_failure', context, user.id, { reason: 'wrong_password' })
    throw new GatehouseError('invalid_credentials')
  }
  await deps.lockout.reset(lockKey)
  if (user.disabled) {
    await recordAudit(deps, 'login_failure', context, user.id, { reason: 'user_disabled' })
    throw new GatehouseError('user_disabled')
  }

  if (deps.hasher.needsRehash(user.passwordHash)) {
    const passwordHash = await deps.hasher.hash(password)
    await deps.store.users.update(user.id, { passwordHash }, deps.clock.now())
  }
  const pair = await openSession(deps, user, context)
  await recordAudit(deps, 'login_success', context, user.id, { session_id: pair.sessionId })
  return pair
}
