import { GatehouseError } from '../errors/index.js'
import type { AccessTokenClaims } from '../tokens/access-token.js'
import type { AuthDeps } from './deps.js'

/**
 * Once a user has a verified second factor, a session that did not pass it (opened
 * before the factor was enrolled, or kept) must not act on what protects the account:
 * API keys, the address, the password, the other sessions. Otherwise a password-only
 * session survives the enrolment meant to shut it out and can change the password, which
 * ends the owner's sessions instead of its own.
 * @throws GatehouseError `mfa_required`
 */
export async function assertSecondFactorIfEnrolled(
  deps: AuthDeps,
  principal: Pick<AccessTokenClaims, 'sub' | 'amr'>,
  action: string,
): Promise<void> {
  if ((principal.amr ?? []).includes('mfa')) return
  const factors = await deps.store.mfa.listFactors(principal.sub)
  if (factors.some((factor) => factor.verifiedAt !== null)) {
    throw new GatehouseError('mfa_required', `Sign in with your second factor to ${action}`)
  }
}
