import { GatehouseError } from '../../../errors/index.js'
import type { AccessTokenClaims } from '../../../tokens/access-token.js'
import { revokeAllApiKeysOf } from '../../machine-access/index.js'
import { recordAudit } from '../../../auth/audit.js'
import type { Auth } from '../../../auth/context.js'
import type { RequestContext } from '../../../auth/deps.js'
import {
  assertAcceptablePassword,
  MAX_PASSWORD_LENGTH,
  normalizePassword,
} from '../../../auth/password-policy.js'
import { withPasswordAttempt } from '../../sessions/index.js'
import { endSessionsOf } from '../../sessions/index.js'
import { assertSecondFactorIfEnrolled } from '../../../auth/step-up.js'

export interface ChangePasswordInput {
  currentPassword: string
  newPassword: string
  /**
   * Revoke the user's API keys too (default true): a password change is often the owner
   * shutting out someone who knew the old one, and keys outlive sessions.
   */
  revokeApiKeys?: boolean | undefined
}

export interface PasswordChanged {
  sessionsRevoked: number
  apiKeysRevoked: number
}

/**
 * Changes the password of the token's user. Needs a fresh token (a password login, not a
 * refresh) and the current password, so a stolen refresh token cannot take the account
 * over. Every other session ends (the one making the change stays), with the outstanding
 * authorization codes and, unless asked not to, the API keys.
 */
export async function changePassword(
  deps: Auth,
  principal: AccessTokenClaims,
  input: ChangePasswordInput,
  context: RequestContext,
): Promise<PasswordChanged> {
  if (!principal.fresh) throw new GatehouseError('fresh_token_required')
  await assertSecondFactorIfEnrolled(deps, principal, 'change your password')
  const user = await deps.store.users.findById(principal.sub)
  if (!user) throw new GatehouseError('invalid_token')

  // Guesses of the current password count toward the same lockout as logins: a stolen
  // fresh token must not become an unthrottled password oracle.
  const current = normalizePassword(input.currentPassword)
  const matches = await withPasswordAttempt(
    deps,
    user.usernameKey,
    context,
    { type: 'password_change_failure', userId: user.id },
    async () => {
      const matched =
        [...current].length <= MAX_PASSWORD_LENGTH &&
        (await deps.hasher.verify(user.passwordHash, current))
      return { matched, result: matched }
    },
  )
  if (!matches) {
    await recordAudit(deps, 'password_change_failure', context, user.id, {
      reason: 'incorrect_password',
    })
    throw new GatehouseError('incorrect_password')
  }

  const next = normalizePassword(input.newPassword)
  // The same password again changes nothing but costs two argon2 runs: refused.
  if (next === current) throw new GatehouseError('password_unchanged')
  await assertAcceptablePassword(next, user.usernameKey)
  await deps.store.users.update(
    user.id,
    { passwordHash: await deps.hasher.hash(next) },
    deps.clock.now(),
  )

  const revoked = await endSessionsOf(deps, user.id, { except: principal.sid })
  const apiKeysRevoked = input.revokeApiKeys === false ? 0 : await revokeAllApiKeysOf(deps, user.id)
  // Links sent before the change (to verify, or later to reset) are worthless now.
  await deps.store.emailTokens.deleteForUser(user.id)
  // A second step begun with the old password must not finish now.
  await deps.store.mfa.deleteChallenges(user.id)
  // The verified address hears of it (the email capability reacts to the event).
  await recordAudit(
    deps,
    'password_changed',
    context,
    user.id,
    { sessions_revoked: revoked.length, api_keys_revoked: apiKeysRevoked },
    { user },
  )
  return { sessionsRevoked: revoked.length, apiKeysRevoked }
}
