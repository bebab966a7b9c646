import Type from 'typebox'
import { completeMfaLogin } from '../../auth/mfa-login.js'
import {
  listFactors,
  regenerateRecoveryCodes,
  removeFactor,
  startTotpFactor,
  verifyTotpFactor,
} from '../../auth/second-factors.js'
import { ErrorBody } from '../schemas/common.js'
import { TokenOrCookieResponse } from '../schemas/account.js'
import {
  FactorList,
  MfaLoginBody,
  RecoveryCodesResponse,
  TotpSetupResponse,
  TotpStartBody,
  TotpVerifyBody,
  TotpVerifyResponse,
} from '../schemas/mfa.js'
import {
  bearerAuth,
  iso,
  principalOf,
  requestContext,
  type GatehouseInstance,
  type RouteDeps,
} from '../route-deps.js'
import { sendTokenPair } from '../token-reply.js'

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
      const { mfa_token, code, recovery_code, use_cookies } = request.body
      const pair = await completeMfaLogin(
        deps.auth,
        { mfaToken: mfa_token, code, recoveryCode: recovery_code },
        requestContext(request),
      )
      return sendTokenPair(reply, deps, pair, use_cookies === true, 'Login successful')
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
      const { recoveryCodes } = await verifyTotpFactor(
        deps.auth,
        principalOf(request),
        request.params.id,
        request.body.code,
        requestContext(request),
      )
      return {
        msg: 'Second factor added',
        ...(recoveryCodes !== null && { recovery_codes: recoveryCodes }),
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
