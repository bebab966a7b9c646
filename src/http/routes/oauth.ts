import formbody from '@fastify/formbody'
import type { FastifyRequest } from 'fastify'
import { parseScopeParameter } from '../../auth/scopes.js'
import { GatehouseError } from '../../errors/index.js'
import type { OAuthClientRecord } from '../../store/store.js'
import { oauthErrorHandler } from '../error-handler.js'
import {
  IntrospectionResponse,
  OAuthErrorBody,
  OAuthTokenResponse,
  TokenParameter,
  TokenRequest,
} from '../schemas/oauth.js'
import { createValidatorCompiler } from '../validation.js'
import { NO_STORE, requestContext, type GatehouseInstance, type RouteDeps } from './context.js'

const clientAuth = [{ clientBasic: [] }, { clientPost: [] }]
const errors = { 400: OAuthErrorBody, 401: OAuthErrorBody }

/**
 * RFC 6749 token endpoint, RFC 7662 introspection and RFC 7009 revocation, with
 * form-encoded bodies and RFC 6749 §5.2 error bodies.
 */
export async function oauthRoutes(app: GatehouseInstance, deps: RouteDeps): Promise<void> {
  app.setValidatorCompiler(createValidatorCompiler())
  app.setErrorHandler(oauthErrorHandler)
  app.removeContentTypeParser(['application/json', 'text/plain'])
  await app.register(formbody)

  app.post(
    '/oauth/token',
    {
      onRequest: deps.limitByIp,
      schema: {
        summary: 'OAuth 2.0 token endpoint: client_credentials and refresh_token grants',
        tags: ['oauth'],
        security: [...clientAuth, {}],
        consumes: ['application/x-www-form-urlencoded'],
        body: TokenRequest,
        response: { 200: OAuthTokenResponse, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body
      const context = requestContext(request)
      const client = await authenticateCaller(request, body, deps)
      void reply.headers(NO_STORE)
      switch (body.grant_type) {
        case 'client_credentials': {
          if (!client)
            throw new GatehouseError('invalid_client', 'Client authentication is required')
          const token = await deps.auth.issueClientToken(
            client,
            parseScopeParameter(body.scope),
            context,
          )
          return {
            access_token: token.accessToken,
            token_type: 'Bearer' as const,
            expires_in: token.expiresIn,
            scope: token.scope,
          }
        }
        case 'refresh_token': {
          if (body.refresh_token === undefined) {
            throw new GatehouseError('invalid_request', 'refresh_token is required')
          }
          const pair = await deps.auth.refresh(body.refresh_token, context)
          return {
            access_token: pair.accessToken,
            token_type: 'Bearer' as const,
            expires_in: pair.expiresIn,
            refresh_token: pair.refreshToken,
            scope: pair.scope,
          }
        }
        default:
          throw new GatehouseError(
            'unsupported_grant_type',
            'grant_type must be client_credentials or refresh_token',
          )
      }
    },
  )

  app.post(
    '/oauth/introspect',
    {
      schema: {
        summary: 'Token introspection (RFC 7662), client-authenticated',
        tags: ['oauth'],
        security: clientAuth,
        consumes: ['application/x-www-form-urlencoded'],
        body: TokenParameter,
        response: { 200: IntrospectionResponse, ...errors },
      },
    },
    async (request, reply) => {
      const caller = await requireCaller(request, request.body, deps)
      void reply.headers(NO_STORE)
      return deps.auth.introspect(caller, request.body.token)
    },
  )

  app.post(
    '/oauth/revoke',
    {
      schema: {
        summary: 'Token revocation (RFC 7009), client-authenticated',
        tags: ['oauth'],
        security: clientAuth,
        consumes: ['application/x-www-form-urlencoded'],
        body: TokenParameter,
        response: {
          200: {
            description: 'Revoked, or not a token this server knows (RFC 7009 §2.2); no body',
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const caller = await requireCaller(request, request.body, deps)
      await deps.auth.revokeToken(caller, request.body.token, requestContext(request))
      return reply.code(200).send()
    },
  )
}

interface ClientParameters {
  client_id?: string | undefined
  client_secret?: string | undefined
}

async function requireCaller(
  request: FastifyRequest,
  body: ClientParameters,
  deps: RouteDeps,
): Promise<OAuthClientRecord> {
  const client = await authenticateCaller(request, body, deps)
  if (!client) throw new GatehouseError('invalid_client', 'Client authentication is required')
  return client
}

/**
 * client_secret_basic (RFC 6749 §2.3.1: form-encoded id and secret in Basic) or
 * client_secret_post. Using both at once is refused, as §2.3 requires.
 */
async function authenticateCaller(
  request: FastifyRequest,
  body: ClientParameters,
  deps: RouteDeps,
): Promise<OAuthClientRecord | undefined> {
  const basic = parseBasic(request.headers.authorization)
  const posted = body.client_id !== undefined || body.client_secret !== undefined
  if (basic && posted) {
    throw new GatehouseError('invalid_request', 'Use one client authentication method, not two')
  }
  if (basic) return deps.auth.authenticateClient(basic.id, basic.secret, requestContext(request))
  if (posted) {
    if (body.client_id === undefined || body.client_secret === undefined) {
      throw new GatehouseError('invalid_client', 'Both client_id and client_secret are required')
    }
    return deps.auth.authenticateClient(body.client_id, body.client_secret, requestContext(request))
  }
  return undefined
}

function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  if (header === undefined) return undefined
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header)
  if (!match?.[1]) throw new GatehouseError('invalid_client', 'Malformed Basic authorization')
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) throw new GatehouseError('invalid_client', 'Malformed Basic authorization')
  try {
    return {
      id: decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' ')),
    }
  } catch {
    throw new GatehouseError('invalid_client', 'Malformed Basic authorization')
  }
}
