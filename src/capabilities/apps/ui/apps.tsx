import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import {
  authorize,
  registeredRedirectOf,
  type AuthorizationParameters,
  type AuthorizationStep,
} from '../auth/authorization.js'
import { planEndSession, type EndSessionParameters } from '../auth/end-session.js'
import { logout } from '../../sessions/index.js'
import type { GatehouseInstance } from '../../../http/route-deps.js'
import { requestContext } from '../../../http/route-deps.js'
import { clearSessionCookies } from '../../../ui/browser-session.js'
import { pageContext, sendPage, signInUrl, type PageDeps } from '../../../ui/page.js'
import { allowFormTarget } from '../../../ui/page-headers.js'
import { ConsentPage, LogoutConfirmPage, SignedOutPage } from './apps-view.js'

const parameterValue = Type.Union([
  Type.String({ maxLength: 4096 }),
  // A repeated parameter arrives as a list; the use case refuses it (invalid_request).
  Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 8 }),
])

/** Parameters of an authorization request: these are read, unknown ones ignored. */
const Parameters = Type.Object(
  Object.fromEntries(
    [
      'response_type',
      'client_id',
      'redirect_uri',
      'scope',
      'state',
      'nonce',
      'code_challenge',
      'code_challenge_method',
      'prompt',
      'max_age',
      'login_hint',
      'response_mode',
    ].map((name) => [name, Type.Optional(parameterValue)]),
  ),
  { additionalProperties: parameterValue, maxProperties: 64 },
)

const EndSessionQuery = Type.Object({
  id_token_hint: Type.Optional(Type.String({ maxLength: 8192 })),
  client_id: Type.Optional(Type.String({ maxLength: 64 })),
  post_logout_redirect_uri: Type.Optional(Type.String({ maxLength: 2048 })),
  state: Type.Optional(Type.String({ maxLength: 2048 })),
  ui_locales: Type.Optional(Type.String({ maxLength: 256 })),
  logout_hint: Type.Optional(Type.String({ maxLength: 256 })),
  csrf: Type.Optional(Type.String({ maxLength: 128 })),
})

const AUTHORIZE_EXAMPLE = {
  response_type: 'code',
  client_id: '0190…',
  redirect_uri: 'https://app.example/callback',
  scope: 'openid profile email',
  state: 'af0ifjsldkj',
  nonce: 'n-0S6_WzA2Mj',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
}

const browserEndpoint = (summary: string, description: string) => ({
  hide: false,
  summary,
  description,
  tags: ['oauth'],
  response: {
    200: { description: 'A page (sign-in, consent or confirmation) in text/html' },
    302: { description: 'To the app (with `code` or `error`, `state` and `iss`) or to sign-in' },
    303: { description: 'The same, after a form' },
    400: { description: 'An error page: unknown client or unregistered redirect URI' },
  },
})

const AUTHORIZE_DOC = browserEndpoint(
  'OAuth 2.1 / OIDC authorization endpoint (a browser page)',
  'response_type=code with PKCE S256; see docs/oidc.md. Unknown parameters are ignored.',
)
const LOGOUT_DOC = browserEndpoint(
  'OIDC RP-initiated logout (end_session_endpoint, a browser page)',
  'Ends the browser session; then the registered post_logout_redirect_uri, with state.',
)

/**
 * The browser endpoints of the authorization code flow, as pages: `/oauth/authorize`
 * (sign-in, consent, then back to the app) and `/oauth/logout` (RP-initiated logout). The
 * rules are the use cases'; this file only shows their steps.
 */
export function appRoutes(app: GatehouseInstance, deps: PageDeps): void {
  const authorizePath = `${deps.oauthRoot}/authorize`

  async function showStep(
    request: FastifyRequest,
    reply: FastifyReply,
    step: AuthorizationStep,
  ): Promise<FastifyReply> {
    // Whatever the step, its forms (and a redirect after a POST) may end at the app.
    allowFormTarget(reply, formTargetOf(step.client.redirectUri))
    switch (step.kind) {
      case 'redirect':
        return reply
          .code(request.method === 'GET' ? 302 : 303)
          .header('location', step.location)
          .send()
      case 'sign_in': {
        // Someone signed in who must sign in again (prompt=login, max_age) sees the form.
        const url = signInUrl(deps, step.returnTo, request.principal ? 'reauthenticate' : undefined)
        const hint =
          step.loginHint === null ? '' : `&login_hint=${encodeURIComponent(step.loginHint)}`
        return reply
          .code(request.method === 'GET' ? 302 : 303)
          .header('location', `${url}${hint}`)
          .send()
      }
      case 'consent':
        return sendPage(
          reply,
          200,
          <ConsentPage
            ctx={pageContext(deps, request, reply, 'none')}
            action={`${authorizePath}/decision`}
            appName={step.client.name}
            appOrigin={formTargetOf(step.client.redirectUri)}
            scopes={step.scopes}
            parameters={step.parameters}
          />,
        )
    }
  }

  const start = (request: FastifyRequest, reply: FastifyReply, raw: AuthorizationParameters) =>
    authorize(deps.auth, raw, request.principal, requestContext(request), authorizePath).then(
      (step) => showStep(request, reply, step),
    )

  app.get(
    '/authorize',
    { schema: { ...AUTHORIZE_DOC, querystring: Parameters } },
    (request, reply) => start(request, reply, request.query),
  )
  // OIDC Core §3.1.2.1: the endpoint takes POST too, from the app's own page.
  app.post(
    '/authorize',
    {
      config: { crossSite: true },
      schema: {
        ...AUTHORIZE_DOC,
        consumes: ['application/x-www-form-urlencoded'],
        body: { ...Parameters, examples: [AUTHORIZE_EXAMPLE] },
      },
    },
    (request, reply) => start(request, reply, request.body),
  )

  const decisionDoc = {
    ...browserEndpoint(
      'The consent page’s answer (a form of the page, with its CSRF token)',
      'The authorization request’s parameters with decision=allow or deny.',
    ),
    consumes: ['application/x-www-form-urlencoded'],
    body: { ...Parameters, examples: [{ ...AUTHORIZE_EXAMPLE, decision: 'allow', csrf: '…' }] },
  }
  app.post('/authorize/decision', { schema: decisionDoc }, async (request, reply) => {
    const { csrf: _csrf, decision, ...raw } = request.body
    const step = await authorize(
      deps.auth,
      raw,
      request.principal,
      requestContext(request),
      authorizePath,
      decision === 'allow' ? 'allow' : 'deny',
    )
    return showStep(request, reply, step)
  })

  async function endSession(
    request: FastifyRequest,
    reply: FastifyReply,
    parameters: EndSessionParameters,
    confirmed: boolean,
  ): Promise<FastifyReply> {
    const plan = await planEndSession(deps.auth, parameters)
    const principal = request.principal
    // Without asking only when the hint is an ID token of this very browser session
    // (its `sid`): a hint from an earlier, ended session proves nothing about this one.
    if (principal !== null && !confirmed && plan.hintedSession !== principal.sid) {
      const fields = Object.fromEntries(
        Object.entries(parameters).filter(
          (entry): entry is [string, string] => entry[0] !== 'csrf' && typeof entry[1] === 'string',
        ),
      )
      return sendPage(
        reply,
        200,
        <LogoutConfirmPage
          ctx={pageContext(deps, request, reply, 'none')}
          action={`${deps.oauthRoot}/logout/confirm`}
          appName={plan.clientName}
          parameters={fields}
        />,
      )
    }
    if (principal !== null) {
      await logout(deps.auth, principal, 'local', requestContext(request))
      clearSessionCookies(reply, deps.cookies)
      request.principal = null
    }
    deps.nonceOf(request, reply, { renew: true })
    if (plan.location !== null) {
      allowFormTarget(reply, formTargetOf(plan.location))
      return reply
        .code(request.method === 'GET' ? 302 : 303)
        .header('location', plan.location)
        .send()
    }
    return sendPage(reply, 200, <SignedOutPage ctx={pageContext(deps, request, reply, 'none')} />)
  }

  const logoutExample = {
    id_token_hint: 'eyJ…',
    post_logout_redirect_uri: 'https://app.example/',
    state: 'af0ifjsldkj',
  }
  const logoutBody = {
    ...LOGOUT_DOC,
    consumes: ['application/x-www-form-urlencoded'],
    body: { ...EndSessionQuery, examples: [logoutExample] },
  }
  app.get(
    '/logout',
    { schema: { ...LOGOUT_DOC, querystring: EndSessionQuery } },
    (request, reply) => endSession(request, reply, request.query, false),
  )
  app.post('/logout', { config: { crossSite: true }, schema: logoutBody }, (request, reply) =>
    endSession(request, reply, request.body, false),
  )
  app.post('/logout/confirm', { schema: logoutBody }, (request, reply) =>
    endSession(request, reply, request.body, true),
  )
}

/** What `form-action` must name so a redirect can reach this URI: its origin, or scheme. */
function formTargetOf(uri: string): string {
  const url = new URL(uri)
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol
}

/**
 * A page whose forms lead on to an authorization request (`return_to` pointing at
 * `/oauth/authorize` of a known client and one of its redirect URIs) lets its forms end at
 * that app: the sign-in's redirect chain goes through the authorization endpoint to it.
 */
export async function allowAppRedirectOf(
  deps: PageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const returnTo =
    (request.query as { return_to?: unknown } | undefined)?.return_to ??
    (request.body as { return_to?: unknown } | undefined)?.return_to
  if (typeof returnTo !== 'string') return
  const redirectUri = await registeredRedirectOf(deps.auth, `${deps.oauthRoot}/authorize`, returnTo)
  if (redirectUri !== null) allowFormTarget(reply, formTargetOf(redirectUri))
}
