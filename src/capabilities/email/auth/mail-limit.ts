import { createHash } from 'node:crypto'
import { RateLimitedError } from '../../../errors/index.js'
import type { AuthDeps } from '../../../auth/deps.js'

const HOUR = 3_600_000

/**
 * At most `GATEHOUSE_EMAIL_RATE_LIMIT` links per address per hour, whoever asks and
 * whether or not the address has an account (so the limit itself reveals nothing). The
 * counter is keyed by a hash: the shared counters (Redis) never hold an address.
 * @throws RateLimitedError
 */
export async function limitMailTo(deps: AuthDeps, emailKey: string): Promise<void> {
  const perHour = deps.settings.emailLimitPerHour
  if (perHour === 0) return
  const digest = createHash('sha256').update(emailKey).digest('base64url')
  const result = await deps.rateLimiter.hit(`mail:${digest}`, perHour, HOUR, deps.clock.now())
  if (!result.allowed) {
    deps.telemetry.limited('address')
    throw new RateLimitedError(
      result.retryAfter,
      'Too many messages to this address; try again later',
    )
  }
}
