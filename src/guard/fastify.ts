import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import {
  createGuard,
  type GatehouseClaims,
  type Guard,
  type GuardOptions,
  type RequireOptions,
} from './guard.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified token's claims; null when the route has no guard or none was sent. */
    auth: GatehouseClaims | null
  }
  interface FastifyInstance {
    auth: {
      /** onRequest hook: a valid token is required, with these roles, scopes, freshness. */
      required(options?: RequireOptions): onRequestHookHandler
      /** onRequest hook: sets request.auth when a valid token is sent; refuses bad ones. */
      optional(): onRequestHookHandler
    }
  }
}

export type FastifyGuardOptions = { guard: Guard } | GuardOptions

/**
 * Fastify plugin for resource servers.
 * @example
 * await app.register(gatehouseGuard, { issuer, audience: 'gatehouse', jwksUri })
 * app.get('/reports', { onRequest: app.auth.required({ scopes: ['reports:read'] }) }, (req) => req.auth)
 */
export const gatehouseGuard = fp(
  (app: FastifyInstance, options: FastifyGuardOptions, done: (error?: Error) => void) => {
    const guard = 'guard' in options ? options.guard : createGuard(options)
    app.decorateRequest('auth', null)

    function hook(required: RequireOptions | null): onRequestHookHandler {
      return function guardRequest(request, reply, next) {
        const header = request.headers.authorization
        if (required === null && (header === undefined || header === '')) return next()
        const fail = (error: unknown) => sendGuardError(guard, request, reply, error)
        const admit = (claims: GatehouseClaims) => {
          try {
            if (required) guard.authorize(claims, required)
          } catch (error) {
            return fail(error)
          }
          request.auth = claims
          next()
        }
        let verified: GatehouseClaims | Promise<GatehouseClaims>
        try {
          verified = guard.authenticate(header)
        } catch (error) {
          return fail(error)
        }
        if (verified instanceof Promise) verified.then(admit, fail)
        else admit(verified)
      }
    }

    app.decorate('auth', {
      required: (opts?: RequireOptions) => hook(opts ?? {}),
      optional: () => hook(null),
    })
    done()
  },
  { fastify: '5.x', name: 'gatehouse-guard' },
)

function sendGuardError(
  guard: Guard,
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
): void {
  const response = guard.errorResponse(error, request.headers.authorization)
  if (response.status >= 500) request.log.error({ err: error }, 'token verification failed')
  void reply.code(response.status).headers(response.headers).send(response.body)
}
