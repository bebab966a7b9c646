/** Counters several instances must share: in memory for one process, Redis for many. */

export interface RateLimitResult {
  allowed: boolean
  /** Milliseconds until the window resets (0 when allowed). */
  retryAfter: number
}

/** Fixed-window counters: at most `limit` hits per key per window. */
export interface RateLimiter {
  hit(key: string, limit: number, windowMs: number, now: number): Promise<RateLimitResult>
}

/**
 * Progressive lockout per account name: after `threshold` consecutive failures every
 * further attempt must wait, the wait doubling per failure up to a cap. A success resets.
 */
export interface LockoutTracker {
  /** Milliseconds the key must still wait; 0 when it may try. */
  waitFor(key: string, now: number): Promise<number>
  recordFailure(key: string, now: number): Promise<void>
  reset(key: string): Promise<void>
}

export interface LockoutPolicy {
  threshold: number
  /** First delay, doubled per further failure. Milliseconds. */
  baseDelay: number
  maxDelay: number
  /** Failures older than this are forgotten. Milliseconds. */
  memory: number
}

export const DEFAULT_LOCKOUT_POLICY: Omit<LockoutPolicy, 'threshold'> = {
  baseDelay: 1_000,
  maxDelay: 15 * 60_000,
  memory: 24 * 3_600_000,
}

/** The delay after `failures` consecutive failures, under the policy. */
export function lockoutDelay(failures: number, policy: LockoutPolicy): number {
  if (policy.threshold === 0 || failures < policy.threshold) return 0
  const exponent = Math.min(failures - policy.threshold, 30)
  return Math.min(policy.baseDelay * 2 ** exponent, policy.maxDelay)
}
