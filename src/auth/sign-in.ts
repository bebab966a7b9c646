import { GatehouseError, RateLimitedError } from '../errors/index.js'
import type { UserRecord } from '../store/store.js'
import { recordAudit } from './audit.js'
import type { AuthDeps, RequestContext } from './deps.js'
import { sendEmailVerification } from './email-verification.js'
import { secondFactorChallenge } from './second-factor-challenge.js'
import { verifiedFactors } from './second-factors.js'
import { openSession, type AppSessionGrant, type TokenPair } from './token-pair.js'

/** How a person got this far; `details.method` of the audit events. */
export type SignInMethod = 'password' | 'second_factor' | 'passkey' | 'app_code'

/** What a sign-in method proved, handed to `completeSignIn`. */
export interface ProvenIdentity {
  user: UserRecord
  method: SignInMethod
  /** RFC 8176 methods of this sign-in; every token of the session repeats them. */
  amr: readonly string[]
  /**
   * The second-factor gate is met already: the method was a second factor itself (the
   * second step; a passkey that verified the user), or an app's code comes from a browser
   * session that passed every gate when it was opened.
   */
  secondFactorDone: boolean
  /** An app's session (the authorization code exchange) instead of a first-party one. */
  app?: AppSessionGrant
}

/**
 * The one step every way into a session ends in: the gates in order — disabled, verified
 * address (when `GATEHOUSE_EMAIL_VERIFICATION=required`), second factor — then the
 * session and its audit. Nothing else opens sessions, so no sign-in method can forget a
 * gate (a passkey sign-in once skipped the verified-address rule this way).
 * @throws GatehouseError `user_disabled`, `email_not_verified`, `mfa_required` (with the
 *   challenge's `mfa_token`)
 */
export async function completeSignIn(
  deps: AuthDeps,
  proven: ProvenIdentity,
  context: RequestContext,
): Promise<TokenPair> {
  const { user, method } = proven
  const refuse = async (reason: string) =>
    recordAudit(deps, 'login_failure', context, user.id, { reason, method })
  if (user.disabled) {
    await refuse('user_disabled')
    throw new GatehouseError('user_disabled')
  }
  // Users created by an admin or the operator without an address are trusted as they are.
  if (
    deps.settings.emailVerification === 'required' &&
    user.email !== null &&
    user.emailVerifiedAt === null
  ) {
    await refuse('email_not_verified')
    await resendIfLinkExpired(deps, user, context)
    throw new GatehouseError('email_not_verified')
  }
  if (!proven.secondFactorDone) {
    const factors = await verifiedFactors(deps, user.id)
    if (factors.length > 0) throw await secondFactorChallenge(deps, user, factors)
  }
  const pair = await openSession(deps, user, context, proven.amr, proven.app)
  if (proven.app) {
    await recordAudit(deps, 'app_signed_in', context, user.id, {
      client_id: proven.app.clientId,
      session_id: pair.sessionId,
      scope: proven.app.scopes.join(' '),
    })
  } else {
    await recordAudit(deps, 'login_success', context, user.id, {
      session_id: pair.sessionId,
      amr: [...proven.amr],
      method,
    })
  }
  return pair
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
