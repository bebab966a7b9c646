import {
  completeMfaLogin,
  passkeyOptionsForSecondStep,
  secondStepFactorTypes,
} from '../auth/mfa-login.js'
import {
  passkeyRegistrationOptions,
  passkeySignInOptions,
  signInWithPasskey,
} from '../auth/passkeys.js'
import Type from 'typebox'
import type { FastifyRequest } from 'fastify'
import type { Principal } from '../../../auth/context.js'
import { GatehouseError } from '../../../errors/index.js'
import { requestContext, type GatehouseInstance } from '../../../http/route-deps.js'
import { formBody, optionalText, text } from '../../../ui/forms.js'
import {
  describeError,
  enterBrowserSession,
  formStateOf,
  pageContext,
  sendPage,
  type PageDeps,
} from '../../../ui/page.js'
import { safeReturnTo } from '../../../ui/return-to.js'
import { MfaPage } from './mfa-view.js'

/** The `mfa_token` of a login that needs its second step, or null for any other error. */
export function secondStepOf(error: unknown): { mfaToken: string; passkey: boolean } | null {
  if (!(error instanceof GatehouseError) || error.code !== 'mfa_required') return null
  const token = error.fields?.['mfa_token']
  const factors = error.fields?.['factors']
  if (typeof token !== 'string') return null
  const passkey =
    Array.isArray(factors) && factors.some((f) => (f as { type?: unknown }).type === 'passkey')
  return { mfaToken: token, passkey }
}

/** The authenticator's answer posted by the page script, or a refusal. */
export function passkeyAnswer(flowId: string, response: string) {
  try {
    return { flowId, response: JSON.parse(response) as unknown }
  } catch {
    throw new GatehouseError('invalid_passkey')
  }
}

/** The signed-in person, for registering a passkey; the script gets a 401 otherwise. */
function signedIn(request: FastifyRequest): Principal {
  if (!request.principal) throw new GatehouseError('missing_token', 'Sign in first')
  return request.principal
}

/** Six digits are an authenticator code; anything else is tried as a recovery code. */
const isAppCode = (value: string) => /^\d{6}$/.test(value)

/** The second step of signing in: `/ui/sign-in` renders its form, this takes the code. */
export function mfaRoutes(app: GatehouseInstance, deps: PageDeps): void {
  const home = `${deps.root}/account`
  // The page script's one JSON request: the options of a WebAuthn ceremony. Its answers
  // are JSON (the script shows `msg`), errors included.
  app.post(
    '/passkey/options',
    {
      onRequest: deps.limitByIp,
      schema: {
        body: Type.Object(
          {
            csrf: Type.Optional(Type.String({ maxLength: 128 })),
            purpose: Type.Union([
              Type.Literal('register'),
              Type.Literal('sign_in'),
              Type.Literal('second_factor'),
            ]),
            mfa_token: Type.Optional(Type.String({ maxLength: 128 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      try {
        const { purpose, mfa_token } = request.body
        const start =
          purpose === 'sign_in'
            ? await passkeySignInOptions(deps.auth)
            : purpose === 'second_factor'
              ? await passkeyOptionsForSecondStep(deps.auth, mfa_token ?? '')
              : await passkeyRegistrationOptions(deps.auth, signedIn(request))
        return reply
          .header('cache-control', 'no-store')
          .send({ flow_id: start.flowId, options: start.options })
      } catch (error) {
        const { status, message } = describeError(error)
        const code = error instanceof GatehouseError ? error.code : 'internal_error'
        return reply.code(status).send({ msg: message, error: code })
      }
    },
  )

  app.post(
    '/passkey',
    {
      onRequest: deps.limitByIp,
      schema: {
        querystring: Type.Object({ return_to: Type.Optional(Type.String({ maxLength: 2048 })) }),
        body: formBody({ flow_id: text(64), response: text(16384) }),
      },
    },
    async (request, reply) => {
      const context = requestContext(request)
      const pair = await signInWithPasskey(
        deps.auth,
        passkeyAnswer(request.body.flow_id, request.body.response),
        context,
      )
      return enterBrowserSession(
        deps,
        request,
        reply,
        pair,
        context,
        safeReturnTo(request.query.return_to, home),
      )
    },
  )

  app.post(
    '/mfa',
    {
      onRequest: deps.limitByIp,
      schema: {
        body: formBody({
          mfa_token: text(128),
          code: optionalText(64),
          flow_id: optionalText(64),
          response: optionalText(16384),
          return_to: optionalText(2048),
        }),
      },
    },
    async (request, reply) => {
      const { mfa_token, return_to, flow_id, response } = request.body
      const code = (request.body.code ?? '').trim()
      const returnTo = safeReturnTo(return_to, home)
      const context = requestContext(request)
      try {
        const pair = await completeMfaLogin(
          deps.auth,
          response
            ? { mfaToken: mfa_token, passkey: passkeyAnswer(flow_id ?? '', response) }
            : isAppCode(code)
              ? { mfaToken: mfa_token, code }
              : { mfaToken: mfa_token, recoveryCode: code },
          context,
        )
        return enterBrowserSession(deps, request, reply, pair, context, returnTo)
      } catch (error) {
        // A dead mfa_token (expired, used, five wrong codes) is the error page: sign in again.
        if (!(error instanceof GatehouseError) || error.code !== 'invalid_mfa_code') throw error
        const { status, state } = formStateOf(error, { invalid_mfa_code: 'code' })
        const ctx = pageContext(deps, request, reply, 'sign-in')
        const back = return_to ? returnTo : null
        const passkey = (await secondStepFactorTypes(deps.auth, mfa_token)).includes('passkey')
        return sendPage(
          reply,
          status,
          <MfaPage
            ctx={ctx}
            mfaToken={mfa_token}
            returnTo={back}
            passkey={passkey}
            state={state}
          />,
        )
      }
    },
  )
}
