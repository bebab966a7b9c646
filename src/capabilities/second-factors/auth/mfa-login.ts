import { GatehouseError } from '../../../errors/index.js'
import type { UserRecord } from '../../../store/store.js'
import { hashOpaqueToken, hasTokenShape, TOKEN_PREFIXES } from '../../../tokens/opaque-token.js'
import { recordAudit } from '../../../auth/audit.js'
import type { AuthDeps, RequestContext } from '../../../auth/deps.js'
import { withPasswordAttempt } from '../../sessions/index.js'
import { acceptTotp, recoveryCodeHash, verifiedFactors } from './second-factors.js'
import { passkeySecondFactorOptions, verifyPasskeyAssertion } from './passkeys.js'
import { MFA_MAX_FAILURES } from './second-factor-challenge.js'
import { completeSignIn } from '../../sessions/index.js'
import type { TokenPair } from '../../sessions/index.js'

/** RFC 8176 methods of a login finished with each kind of second step. */
const AMR_AFTER = {
  totp: ['pwd', 'otp', 'mfa'],
  recovery: ['pwd', 'mfa'],
  passkey: ['pwd', 'hwk', 'mfa'],
} as const

export interface SecondStepInput {
  mfaToken: string
  code?: string | undefined
  recoveryCode?: string | undefined
  /** A passkey's answer to the options of `passkeyOptionsForSecondStep`. */
  passkey?: { flowId: string; response: unknown } | undefined
}

/**
 * The live second step an `mfa_token` names, with its user; undefined for a token that is
 * malformed, unknown, spent, expired or dead after wrong codes.
 */
async function pendingSecondStep(
  deps: AuthDeps,
  mfaToken: string,
): Promise<{ hash: string; user: UserRecord } | undefined> {
  if (!hasTokenShape(mfaToken, TOKEN_PREFIXES.mfaToken)) return undefined
  const hash = hashOpaqueToken(mfaToken)
  const challenge = await deps.store.mfa.findChallenge(hash, deps.clock.now())
  const user = challenge && (await deps.store.users.findById(challenge.userId))
  return user ? { hash, user } : undefined
}

/** The kinds of factor a pending second step can be finished with (none when it is dead). */
export async function secondStepFactorTypes(deps: AuthDeps, mfaToken: string): Promise<string[]> {
  const pending = await pendingSecondStep(deps, mfaToken)
  if (!pending) return []
  return (await verifiedFactors(deps, pending.user.id)).map((factor) => factor.type)
}

/** `POST /login/mfa/passkey/options`: WebAuthn request options for the second step. */
export async function passkeyOptionsForSecondStep(deps: AuthDeps, mfaToken: string) {
  const pending = await pendingSecondStep(deps, mfaToken)
  if (!pending) throw new GatehouseError('invalid_mfa_token')
  const { user } = pending
  return passkeySecondFactorOptions(deps, user, await verifiedFactors(deps, user.id))
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
  const given = [input.code, input.recoveryCode, input.passkey].filter((v) => v !== undefined)
  if (given.length !== 1) {
    throw new GatehouseError('invalid_request', 'Give one of code, recovery_code or passkey')
  }
  const pending = await pendingSecondStep(deps, input.mfaToken)
  if (!pending) throw invalidToken()
  const { hash, user } = pending
  if (user.disabled) throw new GatehouseError('user_disabled')

  const method =
    input.code !== undefined ? 'totp' : input.passkey !== undefined ? 'passkey' : 'recovery'
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
  return completeSignIn(
    deps,
    { user, method: 'second_factor', amr: AMR_AFTER[method], secondFactorDone: true },
    context,
  )
}

async function checkSecondFactor(
  deps: AuthDeps,
  user: UserRecord,
  input: SecondStepInput,
): Promise<boolean> {
  if (input.passkey !== undefined) {
    try {
      await verifyPasskeyAssertion(deps, input.passkey, 'second_factor', user.id)
      return true
    } catch (error) {
      // A refused or stale passkey answer counts as a wrong code.
      if (
        error instanceof GatehouseError &&
        (error.code === 'invalid_passkey' || error.code === 'passkey_flow_expired')
      ) {
        return false
      }
      throw error
    }
  }
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
