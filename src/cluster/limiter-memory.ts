import { LRUCache } from 'lru-cache'
import {
  ATTEMPT_LEASE_MS,
  attemptAllowance,
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
  interface Account {
    failures: number
    lockedUntil: number
    lastFailure: number
    /** Admitted, unsettled attempts and when they were admitted. */
    pending: Map<string, number>
  }
  const accounts = new LRUCache<string, Account>({ max: MAX_KEYS })
  const current = (key: string, now: number): Account => {
    let entry = accounts.get(key)
    if (
      entry !== undefined &&
      entry.pending.size === 0 &&
      now - entry.lastFailure > policy.memory
    ) {
      accounts.delete(key)
      entry = undefined
    }
    if (entry === undefined) {
      entry = { failures: 0, lockedUntil: 0, lastFailure: now, pending: new Map() }
      accounts.set(key, entry)
    }
    for (const [attempt, since] of entry.pending) {
      if (now - since > ATTEMPT_LEASE_MS) entry.pending.delete(attempt)
    }
    return entry
  }
  return {
    // Synchronous from the check to the count: atomic in one process.
    reserve(key, attempt, now) {
      if (policy.threshold === 0) return Promise.resolve({ status: 'granted' as const })
      const entry = current(key, now)
      if (entry.lockedUntil > now) {
        return Promise.resolve({ status: 'locked' as const, wait: entry.lockedUntil - now })
      }
      if (entry.pending.size >= attemptAllowance(entry.failures, policy.threshold)) {
        return Promise.resolve({ status: 'busy' as const })
      }
      entry.pending.set(attempt, now)
      return Promise.resolve({ status: 'granted' as const })
    },
    settle(key, attempt, outcome, now) {
      if (policy.threshold === 0) return Promise.resolve()
      const entry = current(key, now)
      entry.pending.delete(attempt)
      if (outcome === 'success') {
        entry.failures = 0
        entry.lockedUntil = 0
      } else if (outcome === 'failure') {
        entry.failures++
        entry.lastFailure = now
        entry.lockedUntil = now + lockoutDelay(entry.failures, policy)
      }
      return Promise.resolve()
    },
  }
}
