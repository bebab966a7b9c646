import type { Clock } from '../clock.js'
import type { DenylistEntry, Store } from '../store/store.js'
import type { KeyRing } from './key-ring.js'
import type { PasswordHasher } from '../tokens/password.js'
import type { TelemetrySink } from './telemetry.js'

/** What the use cases need; assembled once by `createAuthService`. */
export interface AuthDeps {
  store: Store
  keyRing: KeyRing
  hasher: PasswordHasher
  clock: Clock
  settings: AuthSettings
  /** The in-memory revocation list checked on every request. */
  revocations: Revocations
  /** HMAC key that derives a refresh token's successor (see deriveSuccessorToken). */
  successorKey: Buffer
  /** Progressive lockout of login attempts per username. */
  lockout: Lockout
  /** Tells other instances what changed (Redis); a no-op for one process. */
  bus: Bus
  /** Extra claims for users' access tokens (Flask-JWT-Extended's additional_claims). */
  additionalClaims?: AdditionalClaims | undefined
  /** Hears of every audited event (metrics). */
  telemetry: TelemetrySink
}

/** Claims to add to a user's access tokens, computed at login and at every refresh. */
export type AdditionalClaims = (user: {
  id: string
  username: string
  roles: readonly string[]
}) => Record<string, unknown>

/** What other instances must hear about; the cluster layer carries it. */
export type ClusterEvent =
  | { type: 'revoked'; entry: DenylistEntry }
  | { type: 'keys_changed' }
  | { type: 'api_keys_evicted'; keyId?: string; ownerId?: string }

export interface Bus {
  publish(event: ClusterEvent): void
}

/**
 * Failed-login bookkeeping per username (the cluster layer implements it): an attempt is
 * admitted before the password is checked, atomically with the check of the wait, and
 * counts against the threshold until settled (see cluster/limiter.ts).
 */
export interface Lockout {
  reserve(
    key: string,
    attempt: string,
    now: number,
  ): Promise<{ status: 'granted' } | { status: 'locked'; wait: number } | { status: 'busy' }>
  settle(
    key: string,
    attempt: string,
    outcome: 'success' | 'failure' | 'abandoned',
    now: number,
  ): Promise<void>
}

/** The port the cluster layer implements (in memory now; shared across instances later). */
export interface Revocations {
  add(entry: DenylistEntry, now: number): void
  isRevoked(jti: string, sid: string | undefined, sub: string, now: number): boolean
}

/** Lifetimes in seconds. */
export interface AuthSettings {
  issuer: string
  audience: string
  accessTtl: number
  /** Idle lifetime: a refresh token unused this long expires. */
  refreshTtl: number
  /** Absolute lifetime of a session. */
  sessionMaxAge: number
  /** Seconds after a rotation in which the old token gets the same successor. */
  reuseWindow: number
  leeway: number
  /** Audit events older than this many days are deleted by upkeep; 0 keeps them. */
  auditRetentionDays: number
}

/** Who is asking, for session records and the audit log. */
export interface RequestContext {
  ip: string | null
  userAgent: string | null
}
