import type { FastifyRequest } from 'fastify'
import type { Clock } from '../clock.js'
import type { RateLimiter } from '../cluster/limiter.js'
import { RateLimitedError } from '../errors/index.js'
import type { TelemetrySink } from '../auth/telemetry.js'

const MINUTE = 60_000

/**
 * onRequest hook for the credential endpoints: at most `perMinute` requests per client IP,
 * counted across all of them, before any body is read or password hashed. It throws, so
 * each route context answers in its own shape (OAuth endpoints in RFC 6749's).
 */
export function createIpRateLimit(
  limiter: RateLimiter,
  perMinute: number,
  clock: Clock,
  telemetry: TelemetrySink,
) {
  return async function limitByIp(request: FastifyRequest): Promise<void> {
    if (perMinute === 0) return
    const result = await limiter.hit(`credentials:${request.ip}`, perMinute, MINUTE, clock.now())
    if (!result.allowed) {
      telemetry.limited('ip')
      throw new RateLimitedError(
        result.retryAfter,
        'Too many requests from this address; slow down',
      )
    }
  }
}
