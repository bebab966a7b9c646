import { GatehouseError } from '../../../errors/index.js'
import type { MfaFactorRecord, UserRecord } from '../../../store/store.js'
import {
  generateOpaqueToken,
  hashOpaqueToken,
  TOKEN_PREFIXES,
} from '../../../tokens/opaque-token.js'
import type { AuthDeps } from '../../../auth/deps.js'

/** An `mfa_token` lasts this long… */
export const MFA_TOKEN_TTL_MS = 5 * 60_000
/** …and dies after this many wrong codes. */
export const MFA_MAX_FAILURES = 5

/**
 * A sign-in of a user with a verified factor that no factor finished yet yields this and
 * nothing else: no session, no token, no cookie. The answer carries a short-lived,
 * single-use `mfa_token` that `completeMfaLogin` takes with a code.
 */
export async function secondFactorChallenge(
  deps: AuthDeps,
  user: UserRecord,
  factors: MfaFactorRecord[],
): Promise<GatehouseError> {
  const token = generateOpaqueToken(TOKEN_PREFIXES.mfaToken)
  const now = deps.clock.now()
  await deps.store.mfa.createChallenge({
    tokenHash: hashOpaqueToken(token),
    userId: user.id,
    failures: 0,
    createdAt: now,
    expiresAt: now + MFA_TOKEN_TTL_MS,
  })
  return new GatehouseError('mfa_required', undefined, {
    fields: {
      mfa_token: token,
      factors: factors.map((factor) => ({ id: factor.id, type: factor.type, name: factor.name })),
    },
  })
}
