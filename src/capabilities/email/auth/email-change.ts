import { assertSecondFactorIfEnrolled } from '../../../auth/step-up.js'
import { GatehouseError } from '../../../errors/index.js'
import {
  confirmNewEmailMessage,
  emailChangedNotice,
  emailChangeRequestedNotice,
} from '../../../mail/templates.js'
import type { EmailTokenRecord, UserRecord } from '../../../store/store.js'
import type { AccessTokenClaims } from '../../../tokens/access-token.js'
import { recordAudit } from '../../../auth/audit.js'
import type { AuthDeps, RequestContext } from '../../../auth/deps.js'
import { normalizeEmail } from '../../../auth/email-address.js'
import { invalidEmailToken, issueEmailLink } from './email-tokens.js'
import { sendEmailVerification, toldOwnerOfAddress } from './email-verification.js'
import { mailUser, sendSecurityNotice } from './mail.js'
import { limitMailTo } from './mail-limit.js'

/** `pending`: a link went to the new address; `changed`: replaced at once (verification off). */
export type EmailChangeOutcome = 'pending' | 'changed'

/**
 * `POST /me/email`: the signed-in user asks for a new address. It needs a fresh token
 * (whoever holds the address can reset the password, so a stolen refresh token must not
 * be able to move it). The new address must be proven: it replaces the old one only when
 * the link mailed to it is spent, and the old (verified) address is told at once. With
 * verification off nothing can be proven, so the address changes at once.
 * @throws GatehouseError `fresh_token_required`, `mfa_required`, `invalid_email`, `rate_limited`
 */
export async function requestEmailChange(
  deps: AuthDeps,
  principal: AccessTokenClaims,
  email: string,
  context: RequestContext,
): Promise<EmailChangeOutcome> {
  if (!principal.fresh) throw new GatehouseError('fresh_token_required')
  await assertSecondFactorIfEnrolled(deps, principal, 'change your email address')
  const user = await deps.store.users.findById(principal.sub)
  if (!user) throw new GatehouseError('invalid_token')
  const next = normalizeEmail(email)
  if (next.key === user.emailKey) {
    if (user.emailVerifiedAt !== null || deps.settings.emailVerification === 'off') {
      throw new GatehouseError('invalid_request', 'That is your address already')
    }
    // The same, still unproven address: what the person wants is a new link.
    await sendEmailVerification(deps, user, context)
    return 'pending'
  }
  if (deps.settings.emailVerification === 'off') {
    const record = { email: next.email, key: next.key }
    await replaceAddress(deps, user, record, null, context)
    return 'changed'
  }
  await limitMailTo(deps, next.key)
  const link = await issueEmailLink(
    deps,
    user.id,
    'change',
    { key: next.key, email: next.email },
    deps.settings.emailVerifyTtl,
  )
  const hours = Math.round(deps.settings.emailVerifyTtl / 3600)
  // An address someone else holds verified gets no link (its owner is told instead); the
  // requester sees what a free address gets.
  if (!(await toldOwnerOfAddress(deps, user, next.key, context))) {
    await mailUser(deps, user, next.email, (ctx) => confirmNewEmailMessage(ctx, link, hours))
  }
  await sendSecurityNotice(deps, user, (ctx) =>
    emailChangeRequestedNotice(ctx, next.email, new Date(deps.clock.now())),
  )
  await recordAudit(deps, 'email_change_requested', context, user.id, {})
  return 'pending'
}

/**
 * The link sent to the new address was spent: it replaces the old one, verified. Links
 * sent to the old address (a reset, say) die with it.
 * @throws GatehouseError `invalid_email_token` (the user changed address again since),
 * `email_taken` (someone else took the address meanwhile)
 */
export async function completeEmailChange(
  deps: AuthDeps,
  user: UserRecord,
  token: EmailTokenRecord,
  context: RequestContext,
): Promise<void> {
  if (token.email === null) throw invalidEmailToken()
  await replaceAddress(
    deps,
    user,
    { email: token.email, key: token.emailKey },
    deps.clock.now(),
    context,
  )
}

async function replaceAddress(
  deps: AuthDeps,
  user: UserRecord,
  next: { email: string; key: string },
  verifiedAt: number | null,
  context: RequestContext,
): Promise<void> {
  const result = await deps.store.users.setEmail(
    user.id,
    { email: next.email, emailKey: next.key, verifiedAt },
    deps.clock.now(),
  )
  if (result === 'email_taken') throw new GatehouseError('email_taken')
  if (result === 'not_found') throw invalidEmailToken()
  await deps.store.emailTokens.deleteForUser(user.id)
  await sendSecurityNotice(deps, user, (ctx) =>
    emailChangedNotice(ctx, next.email, new Date(deps.clock.now())),
  )
  await recordAudit(deps, 'email_changed', context, user.id, { verified: verifiedAt !== null })
}

/** The new address waiting for its link to be used, if any (shown on the account page). */
export async function pendingEmailChange(
  deps: AuthDeps,
  principal: { sub: string },
): Promise<string | null> {
  const token = await deps.store.emailTokens.outstanding(principal.sub, 'change', deps.clock.now())
  return token?.email ?? null
}
