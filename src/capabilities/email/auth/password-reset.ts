import { passwordChangedNotice, passwordResetMessage } from '../../../mail/templates.js'
import { revokeAllApiKeysOf } from '../../machine-access/index.js'
import { recordAudit } from '../../../auth/audit.js'
import type { Auth } from '../../../auth/context.js'
import type { AuthDeps, RequestContext } from '../../../auth/deps.js'
import { normalizeEmail } from '../../../auth/email-address.js'
import { emailTokenHash, invalidEmailToken, issueEmailLink } from './email-tokens.js'
import { mailUser, sendSecurityNotice } from './mail.js'
import { limitMailTo } from './mail-limit.js'
import { assertAcceptablePassword, normalizePassword } from '../../../auth/password-policy.js'
import { endSessionsOf, revokeSubjectUntilNow } from '../../sessions/index.js'

/**
 * `POST /password/forgot`: mails a reset link if the address is a user's verified one.
 * The answer is the same for every address, and so is its timing: after the per-address
 * limit (which counts unknown addresses too) the lookup and the mail happen after the
 * answer, in the background. An unverified address gets nothing: it may be a typo, and its
 * owner must not be able to take the account over.
 * @throws GatehouseError `invalid_email`, `rate_limited`
 */
export async function requestPasswordReset(
  deps: AuthDeps,
  email: string,
  context: RequestContext,
): Promise<void> {
  const { key } = normalizeEmail(email)
  await limitMailTo(deps, key)
  deps.background.run(() => mailResetLink(deps, key, context))
}

async function mailResetLink(deps: AuthDeps, emailKey: string, context: RequestContext) {
  const user = await deps.store.users.findByVerifiedEmail(emailKey)
  if (!user || user.email === null) return
  const link = await issueEmailLink(
    deps,
    user.id,
    'reset',
    { key: emailKey },
    deps.settings.passwordResetTtl,
  )
  const minutes = Math.round(deps.settings.passwordResetTtl / 60)
  await mailUser(deps, user, user.email, (ctx) => passwordResetMessage(ctx, link, minutes))
  await recordAudit(deps, 'password_reset_requested', context, user.id, {})
}

export interface ResetPasswordInput {
  token: string
  newPassword: string
}

/**
 * `POST /password/reset`: the link's token and a new password. The password is checked
 * before the token is spent, so a weak one costs the person nothing but a retry. Then
 * every session ends and every access token of the user issued until now is refused:
 * whoever knew the old password is out. Returns how many sessions ended.
 * @throws GatehouseError `invalid_email_token`, `invalid_password`, `weak_password`
 */
export async function resetPassword(
  deps: Auth,
  input: ResetPasswordInput,
  context: RequestContext,
): Promise<number> {
  const hash = emailTokenHash(input.token)
  const found = await deps.store.emailTokens.find(hash, deps.clock.now())
  if (!found || found.purpose !== 'reset') throw invalidEmailToken()
  const user = await deps.store.users.findById(found.userId)
  // The link proves the address it went to, and only while it is still the user's.
  if (!user || user.emailKey !== found.emailKey || user.emailVerifiedAt === null) {
    throw invalidEmailToken()
  }
  const next = normalizePassword(input.newPassword)
  await assertAcceptablePassword(next, user.usernameKey)
  const passwordHash = await deps.hasher.hash(next)
  // The one spend that finds the row wins a race of resets with the same link.
  if (!(await deps.store.emailTokens.spend(hash, deps.clock.now()))) throw invalidEmailToken()

  const now = deps.clock.now()
  await deps.store.users.update(user.id, { passwordHash }, now)
  const revoked = await endSessionsOf(deps, user.id)
  await revokeSubjectUntilNow(deps, user.id)
  // Whoever knew the old password may have made API keys (no expiry by default): a reset
  // is the owner taking the account back, so they end too (the notice says so).
  const apiKeysRevoked = await revokeAllApiKeysOf(deps, user.id)
  await deps.store.emailTokens.deleteForUser(user.id)
  // A second step begun with the old password must not finish now.
  await deps.store.mfa.deleteChallenges(user.id)
  await recordAudit(deps, 'password_reset', context, user.id, {
    sessions_revoked: revoked.length,
  })
  await sendSecurityNotice(deps, user, (ctx) =>
    passwordChangedNotice(ctx, new Date(now), 'reset', apiKeysRevoked),
  )
  return revoked.length
}
