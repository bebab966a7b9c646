import type { Clock } from '../clock.js'
import type { ClusterBus, LockoutTracker, RateLimiter, RevocationList } from '../shared-state.js'
import type { SecretBox } from '../tokens/secret-box.js'
import type { BackgroundWork, Signal } from './background.js'
import type { AuditEventType, Store, UserRecord } from '../store/store.js'
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
  revocations: Pick<RevocationList, 'add' | 'isRevoked'>
  /** HMAC key that derives a refresh token's successor (see deriveSuccessorToken). */
  successorKey: Buffer
  /** Progressive lockout of login attempts per username. */
  lockout: LockoutTracker
  /** Tells other instances what changed (Redis); a no-op for one process. */
  bus: Pick<ClusterBus, 'publish'>
  /** Extra claims for users' access tokens (Flask-JWT-Extended's additional_claims). */
  additionalClaims?: AdditionalClaims | undefined
  /** Hears of every audited event (metrics). */
  telemetry: TelemetrySink
  /** Whether an SMTP server delivers queued mail; without one mail stays in the outbox. */
  mailDelivery: boolean
  /** Rings when this instance queued mail, so delivery starts without waiting for its poll. */
  mailQueued: Signal
  /** Counters shared by the instances: mail sent per address. */
  rateLimiter: RateLimiter
  /** Work begun by a request that its answer does not wait for. */
  background: BackgroundWork
  /** Seals TOTP secrets at rest with a key derived from the server secret. */
  mfaBox: SecretBox
  /** The capabilities' sign-in gates, in list order (see completeSignIn). */
  signInGates: readonly SignInGate[]
  /** The capabilities' reactions to recorded events, by type, in list order. */
  on: EventHandlers
}

/** Claims to add to a user's access tokens, computed at login and at every refresh. */
export type AdditionalClaims = (user: {
  id: string
  username: string
  roles: readonly string[]
}) => Record<string, unknown>

/** Lifetimes in seconds. */
export interface AuthSettings {
  issuer: string
  /** The product name mail speaks in (GATEHOUSE_UI_NAME). */
  productName: string
  audience: string
  accessTtl: number
  /** Idle lifetime: a refresh token unused this long expires. */
  refreshTtl: number
  /** Absolute lifetime of a session. */
  sessionMaxAge: number
  /** Seconds after a rotation in which the old token gets the same successor. */
  reuseWindow: number
  leeway: number
  /** Whether addresses get a verification link, and whether logins need one spent. */
  emailVerification: 'off' | 'optional' | 'required'
  /** Seconds a link to verify an address stays valid. */
  emailVerifyTtl: number
  /** Seconds a link to reset a password stays valid. */
  passwordResetTtl: number
  /** Links (reset, verify, change) mailed per address per hour; 0: no limit. */
  emailLimitPerHour: number
  /** Roles whose powers need a login that passed a second factor. */
  mfaRequiredRoles: readonly string[]
  /** WebAuthn relying party: the ID passkeys are bound to and the origins allowed to use them. */
  webauthn: { rpId: string; origins: readonly string[] }
  /** Audit events older than this many days are deleted by upkeep; 0 keeps them. */
  auditRetentionDays: number
}

/** Who is asking, for session records and the audit log. */
export interface RequestContext {
  ip: string | null
  userAgent: string | null
}

/** The context of changes made from the command line, at start-up or by upkeep jobs. */
export const NO_REQUEST: RequestContext = { ip: null, userAgent: null }

export type { ClusterEvent } from '../shared-state.js'

/** How a person got this far; `details.method` of the audit events. */
export type SignInMethod = 'password' | 'second_factor' | 'passkey' | 'app_code'

/** What a gate sees of a sign-in whose method has proved who the user is. */
export interface SignInAttempt {
  user: UserRecord
  method: SignInMethod
  /**
   * The second-factor gate is met already: the method was a second factor itself (the
   * second step; a passkey that verified the user), or an app's code comes from a browser
   * session that passed every gate when it was opened.
   */
  secondFactorDone: boolean
}

/** Why a gate stops a sign-in: the error to answer and, when audited, the failure reason. */
export interface SignInRefusal {
  error: Error
  /** `details.reason` of the `login_failure` event; none for a step still to come. */
  auditReason?: string
  /** Work after the refusal is audited and before it is answered (resending a link). */
  afterward?: () => Promise<void>
}

/** A rule between a proven identity and its session; `undefined` lets the sign-in pass. */
export interface SignInGate {
  readonly name: string
  check(
    deps: AuthDeps,
    attempt: SignInAttempt,
    context: RequestContext,
  ): Promise<SignInRefusal | undefined>
}

/** An event a use case recorded (`recordAudit`), as the reactions to it see it. */
export interface RecordedEvent {
  readonly type: AuditEventType
  readonly userId: string | null
  readonly context: RequestContext
  readonly details: Readonly<Record<string, unknown>>
  /**
   * The user as the use case had them before this change, never stored: a reaction to an
   * address changed away finds the old address here, not in the store.
   */
  readonly user?: UserRecord | undefined
}

/**
 * A reaction, run in the request after the event is recorded and before the use case
 * returns: for what must be queued before the answer (a link, a notice). A use case never
 * calls another capability to react; it records, and the capability reacts.
 */
export type EventHandler = (deps: AuthDeps, event: RecordedEvent) => Promise<void>

export type EventHandlers = { readonly [T in AuditEventType]?: readonly EventHandler[] }
