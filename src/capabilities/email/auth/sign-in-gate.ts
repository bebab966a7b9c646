import type { AuthDeps, RequestContext, SignInGate } from '../../../auth/deps.js'
import { GatehouseError, RateLimitedError } from '../../../errors/index.js'
import type { UserRecord } from '../../../store/store.js'
import { sendEmailVerification } from './email-verification.js'

/**
 * Under `GATEHOUSE_EMAIL_VERIFICATION=required`, a user with an unverified address signs
 * in by no method until the address is verified. Users created by an admin or the operator
 * without an address are trusted as they are.
 */
export const verifiedAddressGate: SignInGate = {
  name: 'verified address',
  check(deps, { user }, context) {
    if (
      deps.settings.emailVerification !== 'required' ||
      user.email === null ||
      user.emailVerifiedAt !== null
    ) {
      return Promise.resolve(undefined)
    }
    return Promise.resolve({
      error: new GatehouseError('email_not_verified'),
      auditReason: 'email_not_verified',
      afterward: () => resendIfLinkExpired(deps, user, context),
    })
  },
}

const RESEND_AFTER_MS = 10 * 60_000

/**
 * A user who must verify but cannot sign in has no other way to ask for a new link: a
 * sign-in that proved who they are sends one, unless one went out in the last ten minutes
 * (or the address's limit is hit).
 */
async function resendIfLinkExpired(
  deps: AuthDeps,
  user: UserRecord,
  context: RequestContext,
): Promise<void> {
  const now = deps.clock.now()
  const live = await deps.store.emailTokens.outstanding(user.id, 'verify', now)
  if (live && now - live.createdAt < RESEND_AFTER_MS) return
  await sendEmailVerification(deps, user, context).catch((error: unknown) => {
    if (!(error instanceof RateLimitedError)) throw error
  })
}
