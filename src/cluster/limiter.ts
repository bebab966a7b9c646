/** Counters several instances must share: in memory for one process, Redis for many. */
export type {
  AttemptOutcome,
  LockoutTracker,
  RateLimiter,
  RateLimitResult,
  Reservation,
} from '../shared-state.js'

/**
 * An admitted attempt that was never settled (its process died) stops counting after
 * this long, so a crash cannot keep an account busy. Milliseconds.
 */
export const ATTEMPT_LEASE_MS = 30_000

/** How many attempts may be in flight at once for a key with `failures` failures. */
export function attemptAllowance(failures: number, threshold: number): number {
  return Math.max(1, threshold - failures)
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
