import { checkCsrfToken } from '../auth/csrf.js'
import { refresh } from '../auth/refresh.js'
import { logout } from '../auth/sessions.js'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { GatehouseError } from '../../../errors/index.js'
import {
  clearTokenCookies,
  COOKIE_NAMES,
  CSRF_HEADER,
  readCookie,
  refreshCsrfBinding,
} from '../../../http/cookies.js'
import { TokenOrCookieResponse } from '../../../http/schemas/credentials.js'
import { ErrorBody } from '../../../http/schemas/common.js'
import { LogoutBody, LogoutResponse, RefreshBody } from './session-schemas.js'
import {
  principalOf,
  requestContext,
  type GatehouseInstance,
  type RouteDeps,
  bearerAuth,
} from '../../../http/route-deps.js'
import { sendTokenPair } from '../../../http/token-reply.js'

/** These routes take an optional body: a request without one is an empty object. */
function defaultEmptyBody(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  request.body ??= {}
  done()
}

/** POST /refresh and POST /logout. */
export function sessionRoutes(app: GatehouseInstance, deps: RouteDeps): void {
  app.post(
    '/refresh',
    {
      preValidation: defaultEmptyBody,
      schema: {
        summary: 'Rotate a refresh token: a new pair, the old refresh token dies',
        tags: ['session'],
        body: RefreshBody,
        response: { 200: TokenOrCookieResponse, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      const { refresh_token: fromBody, use_cookies } = request.body
      const refreshToken = fromBody ?? refreshTokenFromCookie(request, deps)
      const pair = await refresh(deps.auth, refreshToken, requestContext(request))
      const useCookies = fromBody === undefined || use_cookies === true
      return sendTokenPair(reply, deps, pair, useCookies, 'Token refreshed')
    },
  )

  app.post(
    '/logout',
    {
      preValidation: defaultEmptyBody,
      onRequest: deps.required({ allowApiKeys: false, allowClients: false }),
      schema: {
        summary: 'End this session, the other sessions, or all of them',
        tags: ['session'],
        security: bearerAuth,
        body: LogoutBody,
        response: { 200: LogoutResponse, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      const scope = request.body.scope ?? 'local'
      const revoked = await logout(deps.auth, principalOf(request), scope, requestContext(request))
      if (scope !== 'others') clearTokenCookies(reply, deps.cookies)
      return reply.send({ msg: 'Successfully logged out', sessions_revoked: revoked })
    },
  )
}

/**
 * The refresh cookie is sent by the browser on its own, so using it needs the matching
 * CSRF token in the header (double submit, bound to the refresh token by an HMAC).
 */
function refreshTokenFromCookie(request: FastifyRequest, deps: RouteDeps): string {
  const token = readCookie(request, COOKIE_NAMES.refresh)
  if (!token) {
    throw new GatehouseError(
      'invalid_request',
      `Missing refresh token: send refresh_token in the body or the ${COOKIE_NAMES.refresh} cookie`,
    )
  }
  const presented = request.headers[CSRF_HEADER]
  if (
    typeof presented !== 'string' ||
    !checkCsrfToken(deps.auth, refreshCsrfBinding(token), presented)
  ) {
    throw new GatehouseError('csrf_failed')
  }
  return token
}
