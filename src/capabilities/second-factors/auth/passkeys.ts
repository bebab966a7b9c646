import type {
  AuthenticationResponseJSON,
  AuthenticatorTransport,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server'
import { GatehouseError } from '../../../errors/index.js'
import { newId } from '../../../ids.js'
import type { MfaFactorRecord, UserRecord, WebAuthnFlowRecord } from '../../../store/store.js'
import type { AccessTokenClaims } from '../../../tokens/access-token.js'
import { generateOpaqueToken } from '../../../tokens/opaque-token.js'
import { recordAudit } from '../../../auth/audit.js'
import type { AuthDeps, RequestContext } from '../../../auth/deps.js'
import {
  afterEnrolment,
  assertMayChangeFactors,
  factorName,
  newRecoveryCodes,
  type EnrolledFactor,
  type FirstFactorOptions,
} from './second-factors.js'
import { completeSignIn } from '../../sessions/index.js'
import type { TokenPair } from '../../sessions/index.js'

/** A ceremony must finish within this long. */
const FLOW_TTL_MS = 5 * 60_000

/** RFC 8176: a passkey that verified the user (PIN or biometrics) is two factors in one. */
export const PASSKEY_SIGN_IN_AMR = ['hwk', 'user', 'mfa'] as const

/** A sign-in's passkey did not verify: a refused credential, 401 like a wrong password. */
const refused = (why: string) => new GatehouseError('invalid_passkey', why)
/** A new passkey's answer did not verify: a bad request, the account is not at stake. */
const notRegistered = (why: string) => new GatehouseError('invalid_passkey_registration', why)

/**
 * @simplewebauthn/server and its ASN.1 and X.509 libraries are ~300 modules: loaded with the
 * first passkey ceremony, not with every server (docs/performance.md, start-up).
 */
const webauthn = () => import('@simplewebauthn/server')

async function startFlow(
  deps: AuthDeps,
  purpose: WebAuthnFlowRecord['purpose'],
  userId: string | null,
  challenge: string,
): Promise<string> {
  const id = generateOpaqueToken('wf_').slice(0, 48)
  const now = deps.clock.now()
  await deps.store.mfa.createFlow({
    id,
    userId,
    purpose,
    challenge,
    createdAt: now,
    expiresAt: now + FLOW_TTL_MS,
  })
  return id
}

async function spendFlow(
  deps: AuthDeps,
  flowId: string,
  purpose: WebAuthnFlowRecord['purpose'],
  userId: string | null,
): Promise<WebAuthnFlowRecord> {
  const flow =
    flowId.length <= 64 ? await deps.store.mfa.spendFlow(flowId, deps.clock.now()) : undefined
  if (!flow || flow.purpose !== purpose || (userId !== null && flow.userId !== userId)) {
    throw new GatehouseError('passkey_flow_expired')
  }
  return flow
}

const passkeysOf = (factors: MfaFactorRecord[]) =>
  factors.filter((factor) => factor.type === 'passkey' && factor.passkey !== null)

const descriptor = (factor: MfaFactorRecord) => ({
  id: factor.passkey!.credentialId,
  transports: factor.passkey!.transports as AuthenticatorTransport[],
})

/**
 * `POST /me/passkeys/options`: creation options for a new passkey (a discoverable one, so
 * it can sign in without a username). The same rules as any factor change apply.
 */
export async function passkeyRegistrationOptions(
  deps: AuthDeps,
  principal: AccessTokenClaims,
): Promise<{ flowId: string; options: PublicKeyCredentialCreationOptionsJSON }> {
  const { user, verified } = await assertMayChangeFactors(deps, principal)
  const { generateRegistrationOptions } = await webauthn()
  const options = await generateRegistrationOptions({
    rpName: deps.settings.productName,
    rpID: deps.settings.webauthn.rpId,
    userName: user.username,
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    excludeCredentials: passkeysOf(verified).map(descriptor),
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
  })
  const flowId = await startFlow(deps, 'register', user.id, options.challenge)
  return { flowId, options }
}

/**
 * `POST /me/passkeys`: verifies the authenticator's answer against the flow's challenge,
 * the configured origins and RP ID, and keeps the credential. The user's first factor
 * brings ten recovery codes.
 * @throws GatehouseError `invalid_passkey_registration`, `passkey_flow_expired`
 */
export async function registerPasskey(
  deps: AuthDeps,
  principal: AccessTokenClaims,
  input: { flowId: string; response: unknown; name?: string | undefined } & FirstFactorOptions,
  context: RequestContext,
): Promise<{ factor: MfaFactorRecord } & EnrolledFactor> {
  const { user, verified } = await assertMayChangeFactors(deps, principal)
  const flow = await spendFlow(deps, input.flowId, 'register', user.id)
  const { verifyRegistrationResponse } = await webauthn()
  const result = await verifyRegistrationResponse({
    response: input.response as RegistrationResponseJSON,
    expectedChallenge: flow.challenge,
    expectedOrigin: [...deps.settings.webauthn.origins],
    expectedRPID: deps.settings.webauthn.rpId,
    requireUserVerification: false,
  }).catch((error: unknown) => {
    throw notRegistered(`The passkey was refused: ${describe(error)}`)
  })
  if (!result.verified) throw notRegistered('The passkey was refused')
  const { credential } = result.registrationInfo
  if (await deps.store.mfa.findPasskey(credential.id))
    throw notRegistered('This passkey is registered already')
  const now = deps.clock.now()
  const factor: MfaFactorRecord = {
    id: newId(),
    userId: user.id,
    type: 'passkey',
    name: factorName(input.name, 'Passkey'),
    secretSealed: null,
    lastStep: null,
    verifiedAt: now,
    createdAt: now,
    lastUsedAt: null,
    passkey: {
      credentialId: credential.id,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: credential.transports ?? [],
    },
  }
  await deps.store.mfa.insertFactor(factor)
  const recoveryCodes = verified.length === 0 ? await newRecoveryCodes(deps, user.id) : null
  await recordAudit(
    deps,
    'mfa_enrolled',
    context,
    user.id,
    { factor_id: factor.id, type: 'passkey', name: factor.name },
    { user },
  )
  const sessionsRevoked = await afterEnrolment(deps, principal, verified.length === 0, input)
  return { factor, recoveryCodes, sessionsRevoked }
}

/** `POST /login/passkey/options`: request options for a sign-in without a username. */
export async function passkeySignInOptions(
  deps: AuthDeps,
): Promise<{ flowId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const { generateAuthenticationOptions } = await webauthn()
  const options = await generateAuthenticationOptions({
    rpID: deps.settings.webauthn.rpId,
    userVerification: 'required',
  })
  const flowId = await startFlow(deps, 'sign_in', null, options.challenge)
  return { flowId, options }
}

/**
 * Request options limited to one user's passkeys, as the second step after a password
 * (`POST /login/mfa/passkey/options`); the flow belongs to that user.
 */
export async function passkeySecondFactorOptions(
  deps: AuthDeps,
  user: UserRecord,
  factors: MfaFactorRecord[],
): Promise<{ flowId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const passkeys = passkeysOf(factors)
  if (passkeys.length === 0) throw refused('This account has no passkey')
  const { generateAuthenticationOptions } = await webauthn()
  const options = await generateAuthenticationOptions({
    rpID: deps.settings.webauthn.rpId,
    userVerification: 'preferred',
    allowCredentials: passkeys.map(descriptor),
  })
  const flowId = await startFlow(deps, 'second_factor', user.id, options.challenge)
  return { flowId, options }
}

/**
 * Verifies an assertion: the flow's challenge (spent once), the origins, the RP ID hash,
 * the signature with the stored key, and the counter as WebAuthn L3 says (a counter of 0
 * means the authenticator keeps none, as synced passkeys do; a counter that does not grow
 * otherwise is refused as a possible clone).
 */
export async function verifyPasskeyAssertion(
  deps: AuthDeps,
  input: { flowId: string; response: unknown },
  purpose: 'sign_in' | 'second_factor',
  userId: string | null,
): Promise<{ factor: MfaFactorRecord; userVerified: boolean }> {
  const flow = await spendFlow(deps, input.flowId, purpose, userId)
  const response = input.response as AuthenticationResponseJSON
  const credentialId = typeof response?.id === 'string' ? response.id : ''
  const factor =
    credentialId.length <= 1024 ? await deps.store.mfa.findPasskey(credentialId) : undefined
  if (!factor?.passkey || factor.verifiedAt === null) throw refused('Unknown passkey')
  if (flow.userId !== null && factor.userId !== flow.userId) throw refused('Unknown passkey')
  const { verifyAuthenticationResponse } = await webauthn()
  const result = await verifyAuthenticationResponse({
    response,
    expectedChallenge: flow.challenge,
    expectedOrigin: [...deps.settings.webauthn.origins],
    expectedRPID: deps.settings.webauthn.rpId,
    credential: {
      id: factor.passkey.credentialId,
      publicKey: new Uint8Array(Buffer.from(factor.passkey.publicKey, 'base64url')),
      counter: factor.passkey.counter,
      transports: factor.passkey.transports,
    },
    requireUserVerification: purpose === 'sign_in',
  }).catch((error: unknown) => {
    throw refused(`The passkey was refused: ${describe(error)}`)
  })
  if (!result.verified) throw refused('The passkey was refused')
  await deps.store.mfa.usePasskey(factor.id, result.authenticationInfo.newCounter, deps.clock.now())
  return { factor, userVerified: result.authenticationInfo.userVerified }
}

/**
 * `POST /login/passkey`: a sign-in with a passkey alone; the authenticator must have
 * verified the user (PIN or biometrics), which makes it two factors.
 * @throws GatehouseError `invalid_passkey` (401), `passkey_flow_expired`, and the sign-in
 *   gates' `user_disabled`, `email_not_verified`
 */
export async function signInWithPasskey(
  deps: AuthDeps,
  input: { flowId: string; response: unknown },
  context: RequestContext,
): Promise<TokenPair> {
  const { factor } = await verifyPasskeyAssertion(deps, input, 'sign_in', null)
  const user = await deps.store.users.findById(factor.userId)
  if (!user) throw refused('Unknown passkey')
  // The authenticator verified the user (required above): the passkey is both factors.
  return completeSignIn(
    deps,
    { user, method: 'passkey', amr: PASSKEY_SIGN_IN_AMR, secondFactorDone: true },
    context,
  )
}

/** What the library said, without anything from the request that could be a secret. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : 'not a WebAuthn response'
  return message.slice(0, 200)
}
