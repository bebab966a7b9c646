import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import type { ClusterBus, ClusterEvent } from './bus.js'
import type { LockoutPolicy, LockoutTracker, RateLimiter } from './limiter.js'

export interface RedisCluster {
  rateLimiter: RateLimiter
  lockout: (policy: LockoutPolicy) => LockoutTracker
  bus: ClusterBus
  ping(): Promise<void>
  /** Resolves true once connected, false if that takes longer than `timeoutMs`. */
  connected(timeoutMs: number): Promise<boolean>
  close(): Promise<void>
}

/** Fixed window: the first hit sets the expiry; count and remaining time in one round trip. */
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}`

/** ARGV: now, threshold, baseDelay, maxDelay, memory. Same arithmetic as lockoutDelay. */
const FAIL = `
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local threshold = tonumber(ARGV[2])
local delay = 0
if threshold > 0 and failures >= threshold then
  delay = math.min(tonumber(ARGV[3]) * 2 ^ math.min(failures - threshold, 30), tonumber(ARGV[4]))
end
redis.call('HSET', KEYS[1], 'lockedUntil', tonumber(ARGV[1]) + delay)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return failures`

/**
 * Counters and events shared through Redis. Commands fail fast when Redis is unreachable
 * (no offline queue), so callers can fall back instead of hanging.
 */
export function createRedisCluster(url: string, prefix = 'gatehouse:'): RedisCluster {
  const options = { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false }
  const client = new Redis(url, options)
  const subscriber = new Redis(url, { ...options, enableOfflineQueue: true })
  // Connection errors are reported through failed commands and /readyz, not as crashes.
  client.on('error', () => undefined)
  subscriber.on('error', () => undefined)
  const channel = `${prefix}events`
  const origin = randomUUID()

  return {
    rateLimiter: {
      async hit(key, limit, windowMs) {
        const [count, ttl] = (await client.eval(HIT, 1, `${prefix}rl:${key}`, windowMs)) as [
          number,
          number,
        ]
        const allowed = count <= limit
        return { allowed, retryAfter: allowed ? 0 : Math.max(ttl, 1) }
      },
    },
    lockout: (policy) => ({
      async waitFor(key, now) {
        const lockedUntil = await client.hget(`${prefix}lock:${key}`, 'lockedUntil')
        return lockedUntil === null ? 0 : Math.max(0, Number(lockedUntil) - now)
      },
      async recordFailure(key, now) {
        await client.eval(
          FAIL,
          1,
          `${prefix}lock:${key}`,
          now,
          policy.threshold,
          policy.baseDelay,
          policy.maxDelay,
          policy.memory,
        )
      },
      async reset(key) {
        await client.del(`${prefix}lock:${key}`)
      },
    }),
    bus: {
      publish(event) {
        client.publish(channel, JSON.stringify({ origin, event })).catch(() => undefined)
      },
      subscribe(handler) {
        subscriber.subscribe(channel).catch(() => undefined)
        subscriber.on('message', (_channel: string, message: string) => {
          try {
            const parsed = JSON.parse(message) as { origin: string; event: ClusterEvent }
            if (parsed.origin !== origin) handler(parsed.event)
          } catch {
            // Not one of ours.
          }
        })
      },
      close: () => Promise.resolve(),
    },
    async ping() {
      await client.ping()
    },
    connected(timeoutMs) {
      const ready = (c: Redis) =>
        c.status === 'ready'
          ? Promise.resolve(true)
          : new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => resolve(false), timeoutMs)
              c.once('ready', () => {
                clearTimeout(timer)
                resolve(true)
              })
            })
      return Promise.all([ready(client), ready(subscriber)]).then((r) => r.every(Boolean))
    },
    async close() {
      await Promise.allSettled([client.quit(), subscriber.quit()])
    },
  }
}

/**
 * Redis first; when it cannot be reached, this instance's own counters. Limits then hold
 * per instance instead of across them: degraded, never off, never a crash.
 */
export function withFallback(primary: RateLimiter, fallback: RateLimiter): RateLimiter {
  return {
    hit: (key, limit, windowMs, now) =>
      primary.hit(key, limit, windowMs, now).catch(() => fallback.hit(key, limit, windowMs, now)),
  }
}

export function lockoutWithFallback(
  primary: LockoutTracker,
  fallback: LockoutTracker,
): LockoutTracker {
  return {
    waitFor: (key, now) => primary.waitFor(key, now).catch(() => fallback.waitFor(key, now)),
    recordFailure: (key, now) =>
      primary.recordFailure(key, now).catch(() => fallback.recordFailure(key, now)),
    reset: (key) => primary.reset(key).catch(() => fallback.reset(key)),
  }
}
