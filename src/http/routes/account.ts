import { ErrorBody, MessageBody } from '../schemas/common.js'
import { CredentialsBody, TokenResponse } from '../schemas/account.js'
import { SEED_MESSAGES } from '../messages.js'
import { NO_STORE, requestContext, type GatehouseInstance, type RouteDeps } from './context.js'

/** The seed's POST /register and POST /login. */
export function accountRoutes(app: GatehouseInstance, deps: RouteDeps): void {
  app.post(
    '/register',
    {
      schema: {
        summary: 'Create an account',
        tags: ['account'],
        body: CredentialsBody,
        response: { 201: MessageBody, 400: ErrorBody },
      },
    },
    async (request, reply) => {
      await deps.auth.register(request.body)
      return reply.code(201).send({ msg: SEED_MESSAGES.registered })
    },
  )

  app.post(
    '/login',
    {
      schema: {
        summary: 'Exchange username and password for tokens',
        tags: ['account'],
        body: CredentialsBody,
        response: { 200: TokenResponse, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      const pair = await deps.auth.login(request.body, requestContext(request))
      return reply.headers(NO_STORE).send({
        access_token: pair.accessToken,
        refresh_token: pair.refreshToken,
        token_type: 'Bearer' as const,
        expires_in: pair.expiresIn,
      })
    },
  )
}
