import { login } from '../../sessions/index.js'
import { register } from '../auth/users.js'
import { ErrorBody, LoginRefusalBody, MessageBody } from '../../../http/schemas/common.js'
import {
  LoginBody,
  RegisterBody,
  TokenOrCookieResponse,
} from '../../../http/schemas/credentials.js'
import { SEED_MESSAGES } from '../../../errors/index.js'
import { requestContext, type GatehouseInstance, type RouteDeps } from '../../../http/route-deps.js'
import { sendTokenPair } from '../../../http/token-reply.js'

/** The seed's POST /register and POST /login. */
export function accountRoutes(app: GatehouseInstance, deps: RouteDeps): void {
  app.post(
    '/register',
    {
      onRequest: deps.limitByIp,
      schema: {
        summary: 'Create an account',
        tags: ['account'],
        body: RegisterBody,
        response: { 201: MessageBody, 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      await register(deps.auth, request.body, requestContext(request))
      return reply.code(201).send({ msg: SEED_MESSAGES.registered })
    },
  )

  app.post(
    '/login',
    {
      onRequest: deps.limitByIp,
      schema: {
        summary: 'Exchange username and password for tokens (a new session)',
        tags: ['account'],
        body: LoginBody,
        response: {
          200: TokenOrCookieResponse,
          401: LoginRefusalBody,
          403: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { username, password, use_cookies } = request.body
      const pair = await login(deps.auth, { username, password }, requestContext(request))
      return sendTokenPair(reply, deps, pair, use_cookies === true, 'Login successful')
    },
  )
}
