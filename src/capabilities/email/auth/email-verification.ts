import { GatehouseError } from '../../../errors/index.js'
import { addressInUseNotice, verifyEmailMessage } from '../../../mail/templates.js'
import type { UserRecord } from '../../../store/store.js'
import { recordAudit } from '../../../auth/audit.js'
import type { AuthDeps, RequestContext } from '../../../auth/deps.js'
import { issueEmailLink } from './email-tokens.js'
import { mailUser, sendSecurityNotice } from './mail.js'
import { limitMailTo } from './mail-limit.js'

/**
 * Sends the user a link that proves the address is theirs, replacing any earlier one.
 * The token is only in the mail; the store keeps its hash.
 */
export async function sendEmailVerification(
  deps: AuthDeps,
  user: UserRecord,
  context: RequestContext,
): Promise<void> {
  if (deps.settings.emailVerification === 'off') {
    throw new GatehouseError('invalid_request', 'Email verification is switched off')
  }
  if (user.email === null || user.emailKey === null) {
    throw new GatehouseError('invalid_request', 'There is no email address to verify')
  }
  if (user.emailVerifiedAt !== null) {
    throw new GatehouseError('invalid_request', 'The email address is verified already')
  }
  await limitMailTo(deps, user.emailKey)
  const link = await issueEmailLink(
    deps,
    user.id,
    'verify',
    { key: user.emailKey },
    deps.settings.emailVerifyTtl,
  )
  if (await toldOwnerOfAddress(deps, user, user.emailKey, context)) return
  const hours = Math.round(deps.settings.emailVerifyTtl / 3600)
  await mailUser(deps, user, user.email, (ctx) => verifyEmailMessage(ctx, link, hours))
  await recordAudit(deps, 'email_verification_sent', context, user.id, {})
}

/**
 * When another account holds `emailKey` verified, the link meant to prove it for
 * `claimant` is not mailed (its owner would verify the claimant's account by clicking
 * it); the owner gets "someone tried to use your address" instead. Everything else —
 * the answer, the limits, the stored (now unreachable) link — is what a free address
 * gets, so nobody learns which addresses have accounts. True when the owner was told.
 */
export async function toldOwnerOfAddress(
  deps: AuthDeps,
  claimant: UserRecord,
  emailKey: string,
  context: RequestContext,
): Promise<boolean> {
  const owner = await deps.store.users.findByVerifiedEmail(emailKey)
  if (!owner || owner.id === claimant.id) return false
  await sendSecurityNotice(deps, owner, (ctx) =>
    addressInUseNotice(ctx, new Date(deps.clock.now())),
  )
  await recordAudit(deps, 'email_address_in_use', context, owner.id, { by_user_id: claimant.id })
  return true
}

/** `POST /me/email/verification`: a new link for the signed-in user's address. */
export async function resendEmailVerification(
  deps: AuthDeps,
  principal: { sub: string },
  context: RequestContext,
): Promise<void> {
  const user = await deps.store.users.findById(principal.sub)
  if (!user) throw new GatehouseError('invalid_token')
  await sendEmailVerification(deps, user, context)
}
