import { GatehouseError } from '../errors/index.js'
import type { MfaFactorRecord } from '../store/store.js'
import type { AccessTokenClaims } from '../tokens/access-token.js'
import type { AuthDeps } from './deps.js'

/** RFC 8176: the login passed more than one factor. */
export const MFA_AMR = 'mfa'

/**
 * The step-up rule, given the user's factors: once one is verified, only a token whose
 * sign-in passed a second factor may go on.
 * @throws GatehouseError `mfa_required`
 */
export function assertPassedSecondFactor(
  principal: Pick<AccessTokenClaims, 'amr'>,
  factors: readonly MfaFactorRecord[],
  action: string,
): void {
  if ((principal.amr ?? []).includes(MFA_AMR)) return
  if (factors.some((factor) => factor.verifiedAt !== null)) {
    throw new GatehouseError('mfa_required', `Sign in with your second factor to ${action}`)
  }
}

/**
 * Once a user has a verified second factor, a session that did not pass it (opened
 * before the factor was enrolled, or kept) must not act on what protects the account:
 * API keys, the address, the password, the other sessions. Otherwise a password-only
 * session survives the enrolment meant to shut it out and can change the password, which
 * ends the owner's sessions instead of its own. Reads the factors only for such a token.
 * @throws GatehouseError `mfa_required`
 */
export async function assertSecondFactorIfEnrolled(
  deps: AuthDeps,
  principal: Pick<AccessTokenClaims, 'sub' | 'amr'>,
  action: string,
): Promise<void> {
  if ((principal.amr ?? []).includes(MFA_AMR)) return
  assertPassedSecondFactor(principal, await deps.store.mfa.listFactors(principal.sub), action)
}
