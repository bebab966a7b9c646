import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  preHandlerHookHandler,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { RequestContext } from '../../auth/deps.js'
import type { AuthService } from '../../auth/service.js'
import type { RequiredOptions } from '../auth-context.js'

export type GatehouseInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>

/** What route modules receive: the use cases and the guard factory, nothing else. */
export interface RouteDeps {
  auth: AuthService
  required(options?: RequiredOptions): preHandlerHookHandler
  issuer: string
}

const MAX_USER_AGENT = 512

export function requestContext(request: FastifyRequest): RequestContext {
  const userAgent = request.headers['user-agent']
  return {
    ip: request.ip || null,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, MAX_USER_AGENT) : null,
  }
}

/** RFC 6749 §5.1: responses carrying tokens must not be cached. */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const
