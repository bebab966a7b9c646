import { principalMemo, runGuard, type UserLoader } from './admit.js'
import type { Principal } from '../tokens/principal.js'
import type { Guard, RequireOptions } from './guard.js'

/** The parts of Express's request and response the middleware uses (no express import). */
export interface ExpressLikeRequest {
  headers: Record<string, string | string[] | undefined>
  principal?: Principal | null
  user?: unknown
}
export interface ExpressLikeResponse {
  status(code: number): ExpressLikeResponse
  set(headers: Record<string, string>): ExpressLikeResponse
  json(body: unknown): unknown
}
export type ExpressLikeNext = (error?: unknown) => void
export type ExpressMiddleware = (
  req: ExpressLikeRequest,
  res: ExpressLikeResponse,
  next: ExpressLikeNext,
) => void

/**
 * Express middleware for resource servers; sets `req.principal` (and `req.user` with loadUser).
 * @example
 * const auth = expressGuard(createGuard({ issuer, audience: 'gatehouse', jwksUri }))
 * app.get('/reports', auth.required({ roles: ['admin'] }), (req, res) => res.json(req.principal))
 */
export function expressGuard(
  guard: Guard,
  options: { loadUser?: UserLoader } = {},
): {
  required(options?: RequireOptions): ExpressMiddleware
  optional(): ExpressMiddleware
} {
  const principalOf = principalMemo()
  const middleware =
    (required: RequireOptions | null): ExpressMiddleware =>
    (req, res, next) => {
      const raw = req.headers['authorization']
      const header = Array.isArray(raw) ? raw[0] : raw
      req.principal = null
      runGuard(
        guard,
        principalOf,
        header,
        required,
        options.loadUser,
        (admission) => {
          if (admission) {
            req.principal = admission.principal
            req.user = admission.user
          }
          next()
        },
        (error) => {
          const response = guard.errorResponse(error, header)
          res.status(response.status).set(response.headers).json(response.body)
        },
      )
    }
  return { required: (o) => middleware(o ?? {}), optional: () => middleware(null) }
}
