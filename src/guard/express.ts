import type { GatehouseClaims, Guard, RequireOptions } from './guard.js'

/** The parts of Express's request and response the middleware uses (no express import). */
export interface ExpressLikeRequest {
  headers: Record<string, string | string[] | undefined>
  auth?: GatehouseClaims | null
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
 * Express middleware for resource servers; sets `req.auth`.
 * @example
 * const auth = expressGuard(createGuard({ issuer, audience: 'gatehouse', jwksUri }))
 * app.get('/reports', auth.required({ roles: ['admin'] }), (req, res) => res.json(req.auth))
 */
export function expressGuard(guard: Guard): {
  required(options?: RequireOptions): ExpressMiddleware
  optional(): ExpressMiddleware
} {
  function middleware(required: RequireOptions | null): ExpressMiddleware {
    return (req, res, next) => {
      const raw = req.headers['authorization']
      const header = Array.isArray(raw) ? raw[0] : raw
      req.auth = null
      if (required === null && (header === undefined || header === '')) return next()
      const fail = (error: unknown) => {
        const response = guard.errorResponse(error, header)
        res.status(response.status).set(response.headers).json(response.body)
      }
      const admit = (claims: GatehouseClaims) => {
        try {
          if (required) guard.authorize(claims, required)
        } catch (error) {
          return fail(error)
        }
        req.auth = claims
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
  return { required: (options) => middleware(options ?? {}), optional: () => middleware(null) }
}
