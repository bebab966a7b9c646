import { GatehouseError } from '../../../errors/index.js'
import type { UserRecord } from '../../../store/store.js'
import { recordAudit } from '../../../auth/audit.js'
import type { AuthDeps, RequestContext } from '../../../auth/deps.js'
import { withPasswordAttempt } from './lockout.js'
import { MAX_PASSWORD_LENGTH, normalizePassword } from '../../../auth/password-policy.js'
import { completeSignIn } from './sign-in.js'
import { PASSWORD_AMR, type TokenPair } from './token-pair.js'
import { usernameKeyOrNull } from '../../../auth/username.js'

export interface LoginInput {
  username: string
  password: string
}

/**
 * Checks the password, then hands the user to `completeSignIn`. Unknown users and wrong
 * passwords get the same error after the same work (a dummy argon2 verification), so
 * neither the body nor the timing tells whether a username exists. A disabled user learns
 * so only with the right password. A user with a verified second factor gets no session
 * from the password: the answer is `mfa_required` with a short-lived `mfa_token` for
 * `completeMfaLogin`.
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
  // Admitted before the password is checked, atomically with the lockout check: during a
  // lockout even the right password is not tried, and a burst of concurrent guesses gets
  // no more tries than the threshold.
  const user = await withPasswordAttempt(
    deps,
    lockKey,
    context,
    { type: 'login_failure', userId: null, ...(key !== null && { username: key }) },
    async () => {
      const found = await checkPassword(deps, key, password, context)
      return { matched: found !== undefined, result: found }
    },
  )
  if (user === undefined) throw new GatehouseError('invalid_credentials')
  if (deps.hasher.needsRehash(user.passwordHash)) {
    const passwordHash = await deps.hasher.hash(password)
    await deps.store.users.update(user.id, { passwordHash }, deps.clock.now())
  }
  return completeSignIn(
    deps,
    { user, method: 'password', amr: PASSWORD_AMR, secondFactorDone: false },
    context,
  )
}

/** The user whose password this is; undefined (audited) for a wrong one or an unknown user. */
async function checkPassword(
  deps: AuthDeps,
  key: string | null,
  password: string,
  context: RequestContext,
): Promise<UserRecord | undefined> {
  const user = key === null ? undefined : await deps.store.users.findByUsernameKey(key)
  // Over-long passwords cannot match any stored one; refuse them before hashing so a
  // megabyte "password" cannot be used to burn CPU.
  const plausible = [...password].length <= MAX_PASSWORD_LENGTH
  if (!user || !plausible) {
    if (plausible) await deps.hasher.verifyDummy(password)
    await recordAudit(deps, 'login_failure', context, user?.id ?? null, {
      reason: user ? 'wrong_password' : 'unknown_user',
      ...(key !== null && { username: key }),
    })
    return undefined
  }
  if (!(await deps.hasher.verify(user.passwordHash, password))) {
    await recordAudit(deps, 'login_failure', context, user.id, { reason: 'wrong_password' })
    return undefined
  }
  return user
}
