/**
 * The contracts of state that several instances share: what the use cases (auth/) ask for
 * and the cluster layer (cluster/) provides, in memory for one process, through the
 * primary of `serve --workers`, or through Redis. One definition each, imported by both.
 */

/**
 * A revoked access token (`jti`), session (`sid`) or subject (`sub`: a user or client),
 * remembered until the tokens it covers have expired. A `sub` entry covers only tokens
 * whose jti sorts before `before` (jtis are time-ordered UUIDv7s).
 */
export interface RevocationEntry {
  kind: 'jti' | 'sid' | 'sub'
  value: string
  /** Epoch ms after which no token it covers can still be valid. */
  expiresAt: number
  before?: string
}

/**
 * The process-local revocation list checked on every authenticated request: three map
 * lookups, no I/O. Entries expire with the tokens they cover.
 */
export interface RevocationList {
  /** `now` lets expired entries be pruned as new ones arrive. */
  add(entry: RevocationEntry, now: number): void
  isRevoked(jti: string, sid: string | undefined, sub: string, now: number): boolean
  size(): number
}

export interface RateLimitResult {
  allowed: boolean
  /** Milliseconds until the window resets (0 when allowed). */
  retryAfter: number
}

/** Fixed-window counters: at most `limit` hits per key per window (per IP, per address). */
export interface RateLimiter {
  hit(key: string, limit: number, windowMs: number, now: number): Promise<RateLimitResult>
}

/** What one instance tells the others, so state cached in memory stays right everywhere. */
export type ClusterEvent =
  | { type: 'revoked'; entry: RevocationEntry }
  | { type: 'keys_changed' }
  | { type: 'api_keys_evicted'; keyId?: string | undefined; ownerId?: string | undefined }

export interface ClusterBus {
  /** Tells the other instances; the caller has already applied the change locally. */
  publish(event: ClusterEvent): void
  /** Events from the other instances. */
  subscribe(handler: (event: ClusterEvent) => void): void
  close(): Promise<void>
}

/**
 * Progressive lockout per account name: after `threshold` consecutive failures every
 * further attempt must wait, the wait doubling per failure up to a cap. A success resets.
 *
 * Attempts are admitted *before* the password is checked, in one atomic step with the
 * check of the wait, and an admitted attempt counts against the threshold until it is
 * settled: while `threshold - failures` attempts are in flight (one, once the threshold is
 * reached) a further one is `busy` and must ask again. So N concurrent guesses never get
 * more tries than the threshold, and N concurrent right passwords all succeed in turn
 * (docs/decisions/0004).
 */
export interface LockoutTracker {
  reserve(key: string, attempt: string, now: number): Promise<Reservation>
  /** The attempt's outcome; `abandoned` (an internal error) frees it without counting. */
  settle(key: string, attempt: string, outcome: AttemptOutcome, now: number): Promise<void>
}

export type Reservation =
  | { status: 'granted' }
  /** The account must wait this many milliseconds (confirmed failures). */
  | { status: 'locked'; wait: number }
  /** Enough attempts are in flight to reach the threshold; ask again shortly. */
  | { status: 'busy' }

export type AttemptOutcome = 'success' | 'failure' | 'abandoned'
