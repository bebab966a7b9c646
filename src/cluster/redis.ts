import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import type { ClusterBus, ClusterEvent } from './bus.js'
import {
  ATTEMPT_LEASE_MS,
  type LockoutPolicy,
  type LockoutTracker,
  type RateLimiter,
} from './limiter.js'

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

/**
 * Admit an attempt, atomically in Redis: a locked key gets its remaining wait; a key with
 * as many attempts in flight as may still fail gets `busy`; otherwise the attempt is
 * recorded as in flight. KEYS: the account hash, its in-flight set (scored by admission).
 * ARGV: now, threshold, attempt, lease.
 */
const RESERVE = `
local now = tonumber(ARGV[1])
local lockedUntil = tonumber(redis.call('HGET', KEYS[1], 'lockedUntil') or '0')
if lockedUntil > now then return {'locked', lockedUntil - now} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[4]))
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0')
local allowance = math.max(1, tonumber(ARGV[2]) - failures)
if redis.call('ZCARD', KEYS[2]) >= allowance then return {'busy', 0} end
redis.call('ZADD', KEYS[2], now, ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {'granted', 0}`

/**
 * Settle an attempt: no longer in flight; a success resets, a failure counts (same
 * arithmetic as lockoutDelay). ARGV: now, threshold, baseDelay, maxDelay, memory,
 * attempt, outcome.
 */
const SETTLE = `
redis.call('ZREM', KEYS[2], ARGV[6])
if ARGV[7] == 'success' then redis.call('DEL', KEYS[1]) return 0 end
if ARGV[7] ~= 'failure' then return 0 end
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
      async reserve(key, attempt, now) {
        if (policy.threshold === 0) return { status: 'granted' }
        const [status, wait] = (await client.eval(
          RESERVE,
          2,
          `${prefix}lock:${key}`,
          `${prefix}lock-pending:${key}`,
          now,
          policy.threshold,
          attempt,
          ATTEMPT_LEASE_MS,
        )) as [string, number]
        if (status === 'locked') return { status, wait: Number(wait) }
        return status === 'busy' ? { status } : { status: 'granted' }
      },
      async settle(key, attempt, outcome, now) {
        if (policy.threshold === 0) return
        await client.eval(
          SETTLE,
          2,
          `${prefix}lock:${key}`,
          `${prefix}lock-pending:${key}`,
          now,
          policy.threshold,
          policy.baseDelay,
          policy.maxDelay,
          policy.memory,
          attempt,
          outcome,
        )
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
      await Promise.allSettled([closeConnection(client), closeConnection(subscriber)])
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
    reserve: (key, attempt, now) =>
      primary.reserve(key, attempt, now).catch(() => fallback.reserve(key, attempt, now)),
    settle: (key, attempt, outcome, now) =>
      primary
        .settle(key, attempt, outcome, now)
        .catch(() => fallback.settle(key, attempt, outcome, now)),
  }
}

/** How long a polite QUIT may take before the connection is simply dropped. */
const QUIT_TIMEOUT_MS = 1_000

/**
 * QUIT when connected (pending replies arrive first), else drop the connection at once:
 * while Redis is unreachable a QUIT would wait in the offline queue for a reconnection
 * that never comes, and shutdown with it.
 */
async function closeConnection(connection: Redis): Promise<void> {
  if (connection.status !== 'ready') {
    connection.disconnect()
    return
  }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, QUIT_TIMEOUT_MS)
  })
  await Promise.race([
    connection.quit().then(
      () => undefined,
      () => undefined,
    ),
    timeout,
  ])
  clearTimeout(timer)
  connection.disconnect()
}
