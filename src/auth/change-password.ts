import { GatehouseError } from '../errors/index.js'
import type { AccessTokenClaims } from '../tokens/access-token.js'
import { recordAudit } from './audit.js'
import type { AuthDeps, RequestContext } from './deps.js'
import {
  assertAcceptablePassword,
  MAX_PASSWORD_LENGTH,
  normalizePassword,
} from './password-policy.js'
import { withPasswordAttempt } from './lockout.js'
import { revokeSessionTokens } from './revocation.js'
import { passwordChangedNotice } from '../mail/templates.js'
import { sendSecurityNotice } from './mail.js'

export interface ChangePasswordInput {
  currentPassword: string
  newPassword: string
}

/**
 * Changes the password of the token's user. Needs a fresh token (a password login, not a
 * refresh) and the current password, so a stolen refresh token cannot take the account
 * over. Every other session ends; the one making the change stays.
 */
export async function changePassword(
  deps: AuthDeps,
  principal: AccessTokenClaims,
  input: ChangePasswordInput,
  context: RequestContext,
): Promise<number> {
  if (!principal.fresh) throw new GatehouseError('fresh_token_required')
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
  await assertAcceptablePassword(next, user.usernameKey)
  await deps.store.users.update(
    user.id,
    { passwordHash: await deps.hasher.hash(next) },
    deps.clock.now(),
  )

  const revoked = await deps.store.sessions.revokeAllForUser(
    user.id,
    deps.clock.now(),
    principal.sid,
  )
  await revokeSessionTokens(deps, revoked)
  // Links sent before the change (to verify, or later to reset) are worthless now.
  await deps.store.emailTokens.deleteForUser(user.id)
  // A second step begun with the old password must not finish now.
  await deps.store.mfa.deleteChallenges(user.id)
  await recordAudit(deps, 'password_changed', context, user.id, {
    sessions_revoked: revoked.length,
  })
  await sendSecurityNotice(deps, user, (ctx) =>
    passwordChangedNotice(ctx, new Date(deps.clock.now())),
  )
  return revoked.length
}
