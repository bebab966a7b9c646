import formbody from '@fastify/formbody'
import type { FastifyRequest } from 'fastify'
import { userinfo } from '../auth/userinfo.js'
import { parseBearerHeader } from '../../../bearer.js'
import { GatehouseError } from '../../../errors/index.js'
import { userinfoErrorHandler } from '../../../http/error-handler.js'
import { NO_STORE, type GatehouseInstance, type RouteDeps } from '../../../http/route-deps.js'
import { OAuthErrorBody, UserinfoResponse } from './oauth-schemas.js'

const errors = { 400: OAuthErrorBody, 401: OAuthErrorBody, 403: OAuthErrorBody }

/**
 * OIDC Core §5.3 userinfo, by GET and POST (the token in the header or, posted, the form).
 * Registered under `/oauth`.
 */
export async function userinfoRoutes(app: GatehouseInstance, deps: RouteDeps): Promise<void> {
  app.setErrorHandler(userinfoErrorHandler)
  app.removeContentTypeParser(['application/json', 'text/plain'])
  await app.register(formbody)

  const schema = {
    summary: 'OpenID Connect userinfo: the claims of the scopes granted',
    tags: ['oauth'],
    security: [{ bearerAuth: [] }],
    response: { 200: UserinfoResponse, ...errors },
  }
  app.get('/userinfo', { schema }, async (request, reply) => {
    void reply.headers(NO_STORE)
    return userinfo(deps.auth, bearerOf(request, undefined))
  })
  app.post(
    '/userinfo',
    {
      schema: {
        ...schema,
        // The body is optional (the token usually comes in the header), so it has no
        // schema for Fastify to insist on; `accessTokenOf` reads it.
        description:
          'The access token in the Authorization header, or as the form parameter `access_token` (RFC 6750 §2.2).',
      },
    },
    async (request, reply) => {
      void reply.headers(NO_STORE)
      return userinfo(deps.auth, bearerOf(request, postedToken(request.body)))
    },
  )
}

function postedToken(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const token = (body as { access_token?: unknown }).access_token
  if (token === undefined) return undefined
  if (typeof token !== 'string') throw new GatehouseError('invalid_request', 'One access_token')
  return token
}

/** RFC 6750 §2: the header or the form, never both (§2: one method per request). */
function bearerOf(request: FastifyRequest, posted: string | undefined): string {
  const header = request.headers.authorization
  if (posted !== undefined) {
    if (header !== undefined) {
      throw new GatehouseError('invalid_request', 'Send the access token once, not twice')
    }
    if (posted === '') throw new GatehouseError('missing_token')
    return posted
  }
  return parseBearerHeader(header)
}
