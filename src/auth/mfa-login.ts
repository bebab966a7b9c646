import { GatehouseError } from '../errors/index.js'
import type { MfaFactorRecord, UserRecord } from '../store/store.js'
import {
  generateOpaqueToken,
  hashOpaqueToken,
  hasTokenShape,
  TOKEN_PREFIXES,
} from '../tokens/opaque-token.js'
import { recordAudit } from './audit.js'
import type { AuthDeps, RequestContext } from './deps.js'
import { withPasswordAttempt } from './lockout.js'
import { acceptTotp, recoveryCodeHash, verifiedFactors } from './second-factors.js'
import { openSession, type TokenPair } from './token-pair.js'

/** An `mfa_token` lasts this long… */
export const MFA_TOKEN_TTL_MS = 5 * 60_000
/** …and dies after this many wrong codes. */
export const MFA_MAX_FAILURES = 5

/** RFC 8176 methods of a login finished with each kind of second step. */
const AMR_AFTER = { totp: ['pwd', 'otp', 'mfa'], recovery: ['pwd', 'mfa'] } as const

/**
 * The right password of a user with a verified factor yields this and nothing else: no
 * session, no token, no cookie. The answer carries a short-lived, single-use `mfa_token`
 * that `completeMfaLogin` takes with a code.
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

export interface SecondStepInput {
  mfaToken: string
  code?: string | undefined
  recoveryCode?: string | undefined
}

/**
 * `POST /login/mfa`: the second step. A right code (a TOTP step not accepted before, or
 * an unused recovery code) spends the `mfa_token` and opens the session. Wrong codes count
 * against the token (dead after five) and against the account's lockout, like passwords.
 * @throws GatehouseError `invalid_mfa_token`, `invalid_mfa_code`, `rate_limited`
 */
export async function completeMfaLogin(
  deps: AuthDeps,
  input: SecondStepInput,
  context: RequestContext,
): Promise<TokenPair> {
  const invalidToken = () => new GatehouseError('invalid_mfa_token')
  if (!hasTokenShape(input.mfaToken, TOKEN_PREFIXES.mfaToken)) throw invalidToken()
  if ((input.code === undefined) === (input.recoveryCode === undefined)) {
    throw new GatehouseError('invalid_request', 'Give either code or recovery_code')
  }
  const hash = hashOpaqueToken(input.mfaToken)
  const challenge = await deps.store.mfa.findChallenge(hash, deps.clock.now())
  if (!challenge) throw invalidToken()
  const user = await deps.store.users.findById(challenge.userId)
  if (!user) throw invalidToken()
  if (user.disabled) throw new GatehouseError('user_disabled')

  const method = input.code !== undefined ? 'totp' : 'recovery'
  const matched = await withPasswordAttempt(
    deps,
    `mfa:${user.id}`,
    context,
    { type: 'mfa_failure', userId: user.id },
    async () => {
      const ok = await checkSecondFactor(deps, user, input)
      return { matched: ok, result: ok }
    },
  )
  if (!matched) {
    const failures = await deps.store.mfa.failChallenge(hash, MFA_MAX_FAILURES)
    await recordAudit(deps, 'mfa_failure', context, user.id, {
      method,
      attempts_left: Math.max(0, MFA_MAX_FAILURES - failures),
    })
    throw new GatehouseError('invalid_mfa_code')
  }
  // Two right codes racing on one token: one session.
  if (!(await deps.store.mfa.spendChallenge(hash, deps.clock.now()))) throw invalidToken()
  const pair = await openSession(deps, user, context, AMR_AFTER[method])
  await recordAudit(deps, 'login_success', context, user.id, {
    session_id: pair.sessionId,
    amr: AMR_AFTER[method],
  })
  return pair
}

async function checkSecondFactor(
  deps: AuthDeps,
  user: UserRecord,
  input: SecondStepInput,
): Promise<boolean> {
  if (input.recoveryCode !== undefined) {
    if (input.recoveryCode.length > 64) return false
    const hash = recoveryCodeHash(input.recoveryCode)
    return deps.store.mfa.spendRecoveryCode(user.id, hash, deps.clock.now())
  }
  const code = input.code ?? ''
  for (const factor of await verifiedFactors(deps, user.id)) {
    if (await acceptTotp(deps, factor, code)) return true
  }
  return false
}
