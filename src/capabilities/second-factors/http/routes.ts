import Type from 'typebox'
import { completeMfaLogin, passkeyOptionsForSecondStep } from '../auth/mfa-login.js'
import {
  passkeyRegistrationOptions,
  passkeySignInOptions,
  registerPasskey,
  signInWithPasskey,
} from '../auth/passkeys.js'
import {
  listFactors,
  regenerateRecoveryCodes,
  removeFactor,
  startTotpFactor,
  verifyTotpFactor,
} from '../auth/second-factors.js'
import { ErrorBody } from '../../../http/schemas/common.js'
import { TokenOrCookieResponse } from '../../../http/schemas/credentials.js'
import {
  FactorList,
  MfaLoginBody,
  PasskeyOptionsResponse,
  PasskeyRegisterBody,
  PasskeyRegisteredResponse,
  PasskeySignInBody,
  RecoveryCodesResponse,
  SecondStepPasskeyOptionsBody,
  TotpSetupResponse,
  TotpStartBody,
  TotpVerifyBody,
  TotpVerifyResponse,
} from './schemas.js'
import {
  bearerAuth,
  iso,
  principalOf,
  requestContext,
  type GatehouseInstance,
  type RouteDeps,
} from '../../../http/route-deps.js'
import { sendTokenPair } from '../../../http/token-reply.js'

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) })
const tags = ['second factors']

/** The second step of a login, and the user's own second factors. */
export function mfaRoutes(app: GatehouseInstance, deps: RouteDeps): void {
  const userOnly = deps.required({ allowApiKeys: false, allowClients: false })

  app.post(
    '/login/mfa',
    {
      onRequest: deps.limitByIp,
      schema: {
        summary: 'Finish a login with a code from the authenticator app or a recovery code',
        tags,
        body: MfaLoginBody,
        response: { 200: TokenOrCookieResponse, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const { mfa_token, code, recovery_code, passkey, use_cookies } = request.body
      const pair = await completeMfaLogin(
        deps.auth,
        {
          mfaToken: mfa_token,
          code,
          recoveryCode: recovery_code,
          passkey: passkey && { flowId: passkey.flow_id, response: passkey.response },
        },
        requestContext(request),
      )
      return sendTokenPair(reply, deps, pair, use_cookies === true, 'Login successful')
    },
  )

  app.post(
    '/login/mfa/passkey/options',
    {
      onRequest: deps.limitByIp,
      schema: {
        summary: 'WebAuthn request options to finish a login with a passkey',
        tags,
        body: SecondStepPasskeyOptionsBody,
        response: { 200: PasskeyOptionsResponse, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => {
      const { flowId, options } = await passkeyOptionsForSecondStep(
        deps.auth,
        request.body.mfa_token,
      )
      return { flow_id: flowId, options }
    },
  )

  app.post(
    '/login/passkey/options',
    {
      onRequest: deps.limitByIp,
      schema: {
        summary: 'WebAuthn request options for signing in with a passkey (no username)',
        tags,
        response: { 200: PasskeyOptionsResponse, 429: ErrorBody },
      },
    },
    async () => {
      const { flowId, options } = await passkeySignInOptions(deps.auth)
      return { flow_id: flowId, options }
    },
  )

  app.post(
    '/login/passkey',
    {
      onRequest: deps.limitByIp,
      schema: {
        summary: 'Sign in with a passkey that verified you (PIN or biometrics)',
        tags,
        body: PasskeySignInBody,
        response: { 200: TokenOrCookieResponse, 400: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const { flow_id, response, use_cookies } = request.body
      const pair = await signInWithPasskey(
        deps.auth,
        { flowId: flow_id, response },
        requestContext(request),
      )
      return sendTokenPair(reply, deps, pair, use_cookies === true, 'Login successful')
    },
  )

  app.post(
    '/me/passkeys/options',
    {
      onRequest: userOnly,
      schema: {
        summary: 'WebAuthn creation options for a new passkey (the rules of factor changes apply)',
        tags,
        security: bearerAuth,
        response: { 200: PasskeyOptionsResponse, 401: ErrorBody },
      },
    },
    async (request) => {
      const { flowId, options } = await passkeyRegistrationOptions(deps.auth, principalOf(request))
      return { flow_id: flowId, options }
    },
  )

  app.post(
    '/me/passkeys',
    {
      onRequest: userOnly,
      schema: {
        summary: 'Register a passkey with the authenticator’s answer',
        description: 'For your first factor the answer carries ten recovery codes, shown once.',
        tags,
        security: bearerAuth,
        body: PasskeyRegisterBody,
        response: { 201: PasskeyRegisteredResponse, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request, reply) => {
      const { factor, recoveryCodes, sessionsRevoked } = await registerPasskey(
        deps.auth,
        principalOf(request),
        {
          flowId: request.body.flow_id,
          response: request.body.response,
          name: request.body.name,
          keepOtherSessions: request.body.keep_other_sessions,
        },
        requestContext(request),
      )
      return reply.code(201).send({
        id: factor.id,
        type: 'passkey' as const,
        name: factor.name,
        ...(recoveryCodes !== null && { recovery_codes: recoveryCodes }),
        ...(sessionsRevoked !== null && { sessions_revoked: sessionsRevoked }),
      })
    },
  )

  app.get(
    '/me/mfa',
    {
      onRequest: userOnly,
      schema: {
        summary: 'Your verified second factors and how many recovery codes are left',
        tags,
        security: bearerAuth,
        response: { 200: FactorList, 401: ErrorBody },
      },
    },
    async (request) => {
      const { factors, recoveryCodesLeft } = await listFactors(deps.auth, principalOf(request))
      return {
        factors: factors.map((factor) => ({
          id: factor.id,
          type: factor.type,
          name: factor.name,
          created_at: iso(factor.createdAt),
          last_used_at: factor.lastUsedAt === null ? null : iso(factor.lastUsedAt),
        })),
        recovery_codes_left: recoveryCodesLeft,
      }
    },
  )

  app.post(
    '/me/mfa/totp',
    {
      onRequest: userOnly,
      schema: {
        summary: 'Start an authenticator app (TOTP): a secret to scan, pending until verified',
        description:
          'Fresh token; once you have a verified factor, one that passed it (401 mfa_required).',
        tags,
        security: bearerAuth,
        body: TotpStartBody,
        response: { 201: TotpSetupResponse, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request, reply) => {
      const setup = await startTotpFactor(deps.auth, principalOf(request), request.body.name)
      return reply
        .code(201)
        .headers({ 'cache-control': 'no-store' })
        .send({ id: setup.id, secret: setup.secret, otpauth_uri: setup.otpauthUri })
    },
  )

  app.post(
    '/me/mfa/totp/:id/verify',
    {
      onRequest: userOnly,
      schema: {
        summary: 'Activate a pending authenticator app with its first code',
        description: 'For your first factor the answer carries ten recovery codes, shown once.',
        tags,
        security: bearerAuth,
        params: IdParams,
        body: TotpVerifyBody,
        response: { 200: TotpVerifyResponse, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { recoveryCodes, sessionsRevoked } = await verifyTotpFactor(
        deps.auth,
        principalOf(request),
        request.params.id,
        request.body.code,
        requestContext(request),
        { keepOtherSessions: request.body.keep_other_sessions },
      )
      return {
        msg: 'Second factor added',
        ...(recoveryCodes !== null && { recovery_codes: recoveryCodes }),
        ...(sessionsRevoked !== null && { sessions_revoked: sessionsRevoked }),
      }
    },
  )

  app.delete(
    '/me/mfa/:id',
    {
      onRequest: userOnly,
      schema: {
        summary: 'Remove a second factor (a login that passed a second factor is needed)',
        tags,
        security: bearerAuth,
        params: IdParams,
        response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      await removeFactor(
        deps.auth,
        principalOf(request),
        request.params.id,
        requestContext(request),
      )
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/me/mfa/recovery-codes',
    {
      onRequest: userOnly,
      schema: {
        summary: 'Make ten new recovery codes; the old ones stop working',
        tags,
        security: bearerAuth,
        response: { 200: RecoveryCodesResponse, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => ({
      recovery_codes: await regenerateRecoveryCodes(
        deps.auth,
        principalOf(request),
        requestContext(request),
      ),
    }),
  )
}
