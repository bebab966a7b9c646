import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  onRequestHookHandler,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { RequestContext } from '../auth/deps.js'
import type { Auth, Principal } from '../auth/context.js'
import { GatehouseError } from '../errors/index.js'
import type { RequiredOptions } from './auth-context.js'
import type { CookieSettings } from './cookies.js'

export type GatehouseInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>

/** What route modules receive: the use cases and the guard factory, nothing else. */
export interface RouteDeps {
  /** The use cases' context; handlers pass it to the use case they call. */
  auth: Auth
  required(options?: RequiredOptions): onRequestHookHandler
  /** Where Gatehouse's routes are reachable: the issuer plus any mount prefix. */
  baseUrl: string
  cookies: CookieSettings
  /** onRequest hook limiting requests per client IP on credential endpoints. */
  limitByIp: (request: FastifyRequest) => Promise<void>
  /** The hosted pages are served (and with them the authorization and logout endpoints). */
  pages: boolean
}

/** ISO 8601 for timestamps in response bodies. */
export const iso = (epochMs: number): string => new Date(epochMs).toISOString()

/** A guarded handler always has a principal; this turns a wiring mistake into a 500. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new GatehouseError('internal_error')
  return request.principal
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

/** OpenAPI security requirement of routes that take an access token (or API key). */
export const bearerAuth = [{ bearerAuth: [] }]
