import type { FastifyInstance, onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import type { Principal } from '../tokens/principal.js'
import { principalMemo, runGuard, type UserLoader } from './admit.js'
import { createGuard, type Guard, type GuardOptions, type RequireOptions } from './guard.js'

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The verified token: its claims and kind. Null when the route has no guard or no token
     * was sent. The same name and type as the Gatehouse plugin's, so both can share an app.
     */
    principal: Principal | null
    /** What `loadUser` returned for the token; null without a loader or a token. */
    user: unknown
  }
  interface FastifyInstance {
    auth: {
      /** onRequest hook: a valid token is required, with these roles, scopes, freshness. */
      required(options?: RequireOptions): onRequestHookHandler
      /** onRequest hook: sets request.principal when a valid token is sent; refuses bad ones. */
      optional(): onRequestHookHandler
    }
  }
}

export type FastifyGuardOptions = ({ guard: Guard } | GuardOptions) & {
  /** Loads `request.user` from the claims; null or undefined refuses the request (401). */
  loadUser?: UserLoader
}

/**
 * Fastify plugin for resource servers.
 * @example
 * await app.register(gatehouseGuard, { issuer, audience: 'gatehouse', jwksUri })
 * app.get('/reports', { onRequest: app.auth.required({ scopes: ['reports:read'] }) }, (req) => req.principal)
 */
export const gatehouseGuard = fp(
  (app: FastifyInstance, options: FastifyGuardOptions, done: (error?: Error) => void) => {
    const guard = 'guard' in options ? options.guard : createGuard(options)
    const principalOf = principalMemo()
    // The Gatehouse plugin shares this decoration, so an app may register both.
    if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', null)
    app.decorateRequest('user', null)

    const hook =
      (required: RequireOptions | null): onRequestHookHandler =>
      (request, reply, next) => {
        runGuard(
          guard,
          principalOf,
          request.headers.authorization,
          required,
          options.loadUser,
          (admission) => {
            if (admission) {
              request.principal = admission.principal
              request.user = admission.user ?? null
            }
            next()
          },
          (error) => {
            const response = guard.errorResponse(error, request.headers.authorization)
            if (response.status >= 500)
              request.log.error({ err: error }, 'token verification failed')
            void reply.code(response.status).headers(response.headers).send(response.body)
          },
        )
      }

    app.decorate('auth', {
      required: (requireOptions?: RequireOptions) => hook(requireOptions ?? {}),
      optional: () => hook(null),
    })
    done()
  },
  { fastify: '5.x', name: 'gatehouse-guard' },
)
