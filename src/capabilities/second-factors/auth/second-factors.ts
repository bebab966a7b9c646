import { createHash, randomInt } from 'node:crypto'
import { GatehouseError } from '../../../errors/index.js'
import { newId } from '../../../ids.js'
import type { MfaFactorRecord, UserRecord } from '../../../store/store.js'
import type { AccessTokenClaims } from '../../../tokens/access-token.js'
import { recordAudit } from '../../../auth/audit.js'
import type { AuthDeps, RequestContext } from '../../../auth/deps.js'
import { endSessionsOf } from '../../sessions/index.js'
import { assertPassedSecondFactor } from '../../../auth/step-up.js'
import { matchTotp, newTotpSecret, totpUri } from './totp.js'

export const RECOVERY_CODE_COUNT = 10

export interface FactorView {
  id: string
  type: MfaFactorRecord['type']
  name: string
  createdAt: number
  lastUsedAt: number | null
}

const toView = (factor: MfaFactorRecord): FactorView => ({
  id: factor.id,
  type: factor.type,
  name: factor.name,
  createdAt: factor.createdAt,
  lastUsedAt: factor.lastUsedAt,
})

export async function verifiedFactors(deps: AuthDeps, userId: string): Promise<MfaFactorRecord[]> {
  const factors = await deps.store.mfa.listFactors(userId)
  return factors.filter((factor) => factor.verifiedAt !== null)
}

/** `GET /me/mfa`: the verified factors. */
export async function listFactors(
  deps: AuthDeps,
  principal: { sub: string },
): Promise<{ factors: FactorView[]; recoveryCodesLeft: number }> {
  const [factors, recoveryCodesLeft] = await Promise.all([
    verifiedFactors(deps, principal.sub),
    deps.store.mfa.countRecoveryCodes(principal.sub),
  ])
  return { factors: factors.map(toView), recoveryCodesLeft }
}

/**
 * The rule for changing factors: a fresh login, and once the user has a verified factor,
 * one that passed it (`mfa` in `amr`). Otherwise whoever holds a password-only session
 * could add their own factor or remove the owner's ("MFA hijacking").
 * @throws GatehouseError `fresh_token_required`, `mfa_required`
 */
export async function assertMayChangeFactors(
  deps: AuthDeps,
  principal: AccessTokenClaims,
): Promise<{ user: UserRecord; factors: MfaFactorRecord[]; verified: MfaFactorRecord[] }> {
  if (!principal.fresh) throw new GatehouseError('fresh_token_required')
  const user = await deps.store.users.findById(principal.sub)
  if (!user) throw new GatehouseError('invalid_token')
  const factors = await deps.store.mfa.listFactors(user.id)
  assertPassedSecondFactor(principal, factors, 'change your second factors')
  const verified = factors.filter((factor) => factor.verifiedAt !== null)
  return { user, factors, verified }
}

export interface TotpSetup {
  id: string
  secret: string
  otpauthUri: string
}

/**
 * `POST /me/mfa/totp`: a pending TOTP factor. It counts only once a code proves the app
 * has the secret (`verifyTotpFactor`). Earlier pending ones of the user are dropped.
 */
export async function startTotpFactor(
  deps: AuthDeps,
  principal: AccessTokenClaims,
  name: string | undefined,
): Promise<TotpSetup> {
  const { user, factors } = await assertMayChangeFactors(deps, principal)
  for (const factor of factors) {
    if (factor.verifiedAt === null) await deps.store.mfa.deleteFactor(user.id, factor.id)
  }
  const { secret, uri } = newTotpSecret(deps.settings.productName, user.username)
  const id = newId()
  await deps.store.mfa.insertFactor({
    id,
    userId: user.id,
    type: 'totp',
    name: factorName(name, 'Authenticator app'),
    secretSealed: deps.mfaBox.seal(secret),
    lastStep: null,
    verifiedAt: null,
    createdAt: deps.clock.now(),
    lastUsedAt: null,
    passkey: null,
  })
  return { id, secret, otpauthUri: uri }
}

/** The secret of the user's pending TOTP factor again (the page shows it until verified). */
export async function pendingTotpSetup(
  deps: AuthDeps,
  principal: { sub: string; username?: string | undefined },
  id: string,
): Promise<TotpSetup | null> {
  const factor = await deps.store.mfa.findFactor(id)
  if (!factor || factor.userId !== principal.sub || factor.verifiedAt !== null) return null
  if (factor.secretSealed === null) return null
  const secret = deps.mfaBox.open(factor.secretSealed)
  const user = await deps.store.users.findById(principal.sub)
  if (!user) return null
  return { id, secret, otpauthUri: totpUri(deps.settings.productName, user.username, secret) }
}

/** A factor's name as the person gave it, or `fallback`; at most 100 characters. */
export function factorName(name: string | undefined, fallback: string): string {
  const trimmed = (name ?? '').normalize('NFKC').trim()
  if (trimmed.length > 100) throw new GatehouseError('invalid_request', 'At most 100 characters')
  return trimmed === '' ? fallback : trimmed
}

/**
 * `POST /me/mfa/totp/{id}/verify`: the first code from the app activates the factor. For
 * the user's first factor the answer carries ten recovery codes, shown this once.
 * @throws GatehouseError `not_found`, `invalid_mfa_code`
 */
export async function verifyTotpFactor(
  deps: AuthDeps,
  principal: AccessTokenClaims,
  id: string,
  code: string,
  context: RequestContext,
  options: FirstFactorOptions = {},
): Promise<EnrolledFactor> {
  const { user, verified } = await assertMayChangeFactors(deps, principal)
  const factor = await deps.store.mfa.findFactor(id)
  if (!factor || factor.userId !== user.id || factor.verifiedAt !== null) {
    throw new GatehouseError('not_found', 'No such pending factor')
  }
  if (!(await acceptTotp(deps, factor, code))) throw new GatehouseError('invalid_mfa_code')
  await deps.store.mfa.verifyFactor(factor.id, deps.clock.now())
  const recoveryCodes = verified.length === 0 ? await newRecoveryCodes(deps, user.id) : null
  await recordAudit(
    deps,
    'mfa_enrolled',
    context,
    user.id,
    { factor_id: id, type: 'totp', name: factor.name },
    { user },
  )
  const sessionsRevoked = await afterEnrolment(deps, principal, verified.length === 0, options)
  return { recoveryCodes, sessionsRevoked }
}

export interface FirstFactorOptions {
  /** Keep the other sessions when the first factor is enrolled (default: they end). */
  keepOtherSessions?: boolean | undefined
}

export interface EnrolledFactor {
  /** The first factor's ten recovery codes (null for a later factor). */
  recoveryCodes: string[] | null
  /** How many other sessions the first factor ended (null for a later factor). */
  sessionsRevoked: number | null
}

/**
 * The first factor shuts out every session that did not pass it — whoever enrols one
 * usually means to lock out someone who knows the password — unless the person asks to
 * keep them. The session that enrolled stays.
 */
export async function afterEnrolment(
  deps: AuthDeps,
  principal: AccessTokenClaims,
  first: boolean,
  options: FirstFactorOptions,
): Promise<number | null> {
  if (!first) return null
  if (options.keepOtherSessions === true) return 0
  return (await endSessionsOf(deps, principal.sub, { except: principal.sid })).length
}

/** Checks a code against one TOTP factor, accepting its time step at most once. */
export async function acceptTotp(
  deps: AuthDeps,
  factor: MfaFactorRecord,
  code: string,
): Promise<boolean> {
  if (factor.type !== 'totp' || factor.secretSealed === null) return false
  const now = deps.clock.now()
  const step = matchTotp(deps.mfaBox.open(factor.secretSealed), code.trim(), now)
  return step !== null && (await deps.store.mfa.acceptStep(factor.id, step, now))
}

/** `DELETE /me/mfa/{id}`. The last factor takes the recovery codes with it. */
export async function removeFactor(
  deps: AuthDeps,
  principal: AccessTokenClaims,
  id: string,
  context: RequestContext,
): Promise<void> {
  const { user, verified } = await assertMayChangeFactors(deps, principal)
  const factor = verified.find((candidate) => candidate.id === id)
  if (!factor || !(await deps.store.mfa.deleteFactor(user.id, id))) {
    throw new GatehouseError('not_found', 'No such factor')
  }
  if (verified.length === 1) await deps.store.mfa.replaceRecoveryCodes(user.id, [], 0)
  await recordAudit(
    deps,
    'mfa_removed',
    context,
    user.id,
    { factor_id: id, type: factor.type, name: factor.name },
    { user },
  )
}

/** `POST /me/mfa/recovery-codes`: a new set; the old one stops working. */
export async function regenerateRecoveryCodes(
  deps: AuthDeps,
  principal: AccessTokenClaims,
  context: RequestContext,
): Promise<string[]> {
  const { user, verified } = await assertMayChangeFactors(deps, principal)
  if (verified.length === 0) {
    throw new GatehouseError('invalid_request', 'Recovery codes need a second factor first')
  }
  const codes = await newRecoveryCodes(deps, user.id)
  await recordAudit(deps, 'recovery_codes_regenerated', context, user.id, {}, { user })
  return codes
}

/** Admin: every factor and recovery code of the user is gone; they sign in with a password. */
export async function resetUserMfa(
  deps: AuthDeps,
  user: UserRecord,
  context: RequestContext,
  actorId: string | null,
): Promise<number> {
  const removed = await deps.store.mfa.deleteAllForUser(user.id)
  await recordAudit(
    deps,
    'mfa_reset',
    context,
    user.id,
    { factors_removed: removed, ...(actorId !== null && { by: actorId }) },
    { user },
  )
  return removed
}

/** Letters and digits without look-alikes (0/o, 1/l/i): 31 symbols. */
const CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'

/** `xxxxx-xxxxx`: about 49 random bits, single use, and tried only as fast as logins. */
function randomRecoveryCode(): string {
  const chars = Array.from({ length: 10 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]!)
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`
}

/** What is stored of a code: the hash of its letters, ignoring case, spaces and dashes. */
export function recoveryCodeHash(code: string): string {
  const letters = code.toLowerCase().replace(/[\s-]/g, '')
  return createHash('sha256').update(`recovery:${letters}`).digest('hex')
}

export async function newRecoveryCodes(deps: AuthDeps, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, randomRecoveryCode)
  await deps.store.mfa.replaceRecoveryCodes(userId, codes.map(recoveryCodeHash), deps.clock.now())
  return codes
}
