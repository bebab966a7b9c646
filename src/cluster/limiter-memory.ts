import { LRUCache } from 'lru-cache'
import {
  lockoutDelay,
  type LockoutPolicy,
  type LockoutTracker,
  type RateLimiter,
} from './limiter.js'

/**
 * Bounded: an attacker spraying IPs or usernames evicts the oldest entries rather than
 * growing memory. Keys a process no longer holds start from zero, which errs toward
 * letting a request through; Redis keeps exact counts for several instances.
 */
const MAX_KEYS = 100_000

export function createMemoryRateLimiter(): RateLimiter {
  const windows = new LRUCache<string, { count: number; resetAt: number }>({ max: MAX_KEYS })
  return {
    hit(key, limit, windowMs, now) {
      let window = windows.get(key)
      if (window === undefined || now >= window.resetAt) {
        window = { count: 0, resetAt: now + windowMs }
        windows.set(key, window)
      }
      window.count++
      const allowed = window.count <= limit
      return Promise.resolve({ allowed, retryAfter: allowed ? 0 : window.resetAt - now })
    },
  }
}

export function createMemoryLockoutTracker(policy: LockoutPolicy): LockoutTracker {
  const accounts = new LRUCache<
    string,
    { failures: number; lockedUntil: number; lastFailure: number }
  >({
    max: MAX_KEYS,
  })
  const current = (key: string, now: number) => {
    const entry = accounts.get(key)
    if (entry !== undefined && now - entry.lastFailure > policy.memory) {
      accounts.delete(key)
      return undefined
    }
    return entry
  }
  return {
    waitFor(key, now) {
      const entry = current(key, now)
      return Promise.resolve(entry === undefined ? 0 : Math.max(0, entry.lockedUntil - now))
    },
    recordFailure(key, now) {
      const failures = (current(key, now)?.failures ?? 0) + 1
      accounts.set(key, {
        failures,
        lastFailure: now,
        lockedUntil: now + lockoutDelay(failures, policy),
      })
      return Promise.resolve()
    },
    reset(key) {
      accounts.delete(key)
      return Promise.resolve()
    },
  }
}
