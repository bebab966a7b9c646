import { issueClientToken } from '../../machine-access/index.js'
import { introspect, revokeToken } from '../../machine-access/index.js'
import {
  exchangeAuthorizationCode,
  refreshAppTokens,
  type AppTokens,
} from '../auth/token-exchange.js'
import formbody from '@fastify/formbody'
import { parseScopeParameter } from '../../machine-access/index.js'
import { GatehouseError } from '../../../errors/index.js'
import { oauthErrorHandler } from '../../../http/error-handler.js'
import {
  IntrospectionResponse,
  OAuthErrorBody,
  OAuthTokenResponse,
  TokenParameter,
  TokenRequest,
} from './oauth-schemas.js'
import {
  NO_STORE,
  requestContext,
  type GatehouseInstance,
  type RouteDeps,
} from '../../../http/route-deps.js'
import { authenticateCaller, requireCaller } from '../../machine-access/index.js'

const clientAuth = [{ clientBasic: [] }, { clientPost: [] }]
const errors = { 400: OAuthErrorBody, 401: OAuthErrorBody }

/**
 * RFC 6749 token endpoint, RFC 7662 introspection and RFC 7009 revocation, with
 * form-encoded bodies and RFC 6749 §5.2 error bodies. Registered under `/oauth`.
 */
export async function oauthRoutes(app: GatehouseInstance, deps: RouteDeps): Promise<void> {
  app.setErrorHandler(oauthErrorHandler)
  app.removeContentTypeParser(['application/json', 'text/plain'])
  await app.register(formbody)

  app.post(
    '/token',
    {
      onRequest: deps.limitByIp,
      schema: {
        summary:
          'OAuth 2.0 token endpoint: authorization_code (PKCE), refresh_token and client_credentials grants',
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
          const token = await issueClientToken(
            deps.auth,
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
        case 'authorization_code': {
          if (!client)
            throw new GatehouseError('invalid_client', 'Client authentication is required')
          const tokens = await exchangeAuthorizationCode(
            deps.auth,
            client,
            { code: body.code, redirectUri: body.redirect_uri, codeVerifier: body.code_verifier },
            context,
          )
          return appTokenResponse(tokens)
        }
        case 'refresh_token': {
          if (body.refresh_token === undefined) {
            throw new GatehouseError('invalid_request', 'refresh_token is required')
          }
          // RFC 6749 §6: only a refresh token issued to the authenticated client. A
          // first-party session's token is refreshed at POST /refresh, never here.
          if (!client) {
            throw new GatehouseError(
              'invalid_grant',
              'This refresh token was not issued to an authenticated client; a sign-in here refreshes at POST /refresh',
            )
          }
          return appTokenResponse(
            await refreshAppTokens(deps.auth, client, body.refresh_token, context),
          )
        }
        default:
          throw new GatehouseError(
            'unsupported_grant_type',
            'grant_type must be authorization_code, refresh_token or client_credentials',
          )
      }
    },
  )

  app.post(
    '/introspect',
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
      return introspect(deps.auth, caller, request.body.token)
    },
  )

  app.post(
    '/revoke',
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
      await revokeToken(deps.auth, caller, request.body.token, requestContext(request))
      return reply.code(200).send()
    },
  )
}

function appTokenResponse(tokens: AppTokens) {
  return {
    access_token: tokens.accessToken,
    token_type: 'Bearer' as const,
    expires_in: tokens.expiresIn,
    scope: tokens.scope,
    ...(tokens.idToken !== null && { id_token: tokens.idToken }),
    ...(tokens.refreshToken !== null && { refresh_token: tokens.refreshToken }),
  }
}
