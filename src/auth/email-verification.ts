import { GatehouseError } from '../errors/index.js'
import { verifyEmailMessage } from '../mail/templates.js'
import type { UserRecord } from '../store/store.js'
import {
  generateOpaqueToken,
  hashOpaqueToken,
  hasTokenShape,
  TOKEN_PREFIXES,
} from '../tokens/opaque-token.js'
import { recordAudit } from './audit.js'
import type { AuthDeps, RequestContext } from './deps.js'
import { mailUser } from './mail.js'

/**
 * Sends the user a link that proves the address is theirs, replacing any earlier one.
 * The token (256 random bits) is only in the mail; the store keeps its hash.
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
  const token = generateOpaqueToken(TOKEN_PREFIXES.emailToken)
  const now = deps.clock.now()
  await deps.store.emailTokens.issue({
    tokenHash: hashOpaqueToken(token),
    userId: user.id,
    purpose: 'verify',
    emailKey: user.emailKey,
    createdAt: now,
    expiresAt: now + deps.settings.emailVerifyTtl * 1000,
  })
  const link = `${deps.settings.issuer}/ui/verify-email?token=${encodeURIComponent(token)}`
  const hours = Math.round(deps.settings.emailVerifyTtl / 3600)
  await mailUser(deps, user, user.email, (ctx) => verifyEmailMessage(ctx, link, hours))
  await recordAudit(deps, 'email_verification_sent', context, user.id, {})
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

/**
 * Spends a verification token (once: concurrent tries get one success). It proves only the
 * address it was sent to: after a change of address it is worthless.
 * @throws GatehouseError `invalid_email_token`
 */
export async function verifyEmail(
  deps: AuthDeps,
  token: string,
  context: RequestContext,
): Promise<void> {
  const invalid = () => new GatehouseError('invalid_email_token')
  if (!hasTokenShape(token, TOKEN_PREFIXES.emailToken)) throw invalid()
  const spent = await deps.store.emailTokens.spend(hashOpaqueToken(token), deps.clock.now())
  if (!spent || spent.purpose !== 'verify') throw invalid()
  const user = await deps.store.users.findById(spent.userId)
  if (!user || user.email === null || user.emailKey !== spent.emailKey) throw invalid()
  if (user.emailVerifiedAt === null) {
    const result = await deps.store.users.setEmail(
      user.id,
      { email: user.email, emailKey: user.emailKey, verifiedAt: deps.clock.now() },
      deps.clock.now(),
    )
    if (result !== 'updated') throw invalid()
  }
  await recordAudit(deps, 'email_verified', context, user.id, {})
}
