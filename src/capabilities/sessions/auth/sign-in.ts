import { GatehouseError } from '../../../errors/index.js'
import { recordAudit } from '../../../auth/audit.js'
import type { AuthDeps, RequestContext, SignInAttempt } from '../../../auth/deps.js'
import { openSession, type AppSessionGrant, type TokenPair } from './token-pair.js'

export type { SignInMethod } from '../../../auth/deps.js'

/** What a sign-in method proved, handed to `completeSignIn`. */
export interface ProvenIdentity extends SignInAttempt {
  /** RFC 8176 methods of this sign-in; every token of the session repeats them. */
  amr: readonly string[]
  /** An app's session (the authorization code exchange) instead of a first-party one. */
  app?: AppSessionGrant
}

/**
 * The one step every way into a session ends in: the gates in order — not disabled, then
 * those the capabilities contribute (`deps.signInGates`: verified address when
 * `GATEHOUSE_EMAIL_VERIFICATION=required`, second factor) — then the session and its
 * audit. Nothing else opens sessions, so no sign-in method can forget a gate (a passkey
 * sign-in once skipped the verified-address rule this way).
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
  for (const gate of deps.signInGates) {
    const refusal = await gate.check(deps, proven, context)
    if (!refusal) continue
    if (refusal.auditReason !== undefined) await refuse(refusal.auditReason)
    await refusal.afterward?.()
    throw refusal.error
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
