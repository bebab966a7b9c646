import type { Clock } from '../clock.js'
import type { Store } from '../store/store.js'
import type { KeyRing } from '../tokens/signing-keys.js'
import type { PasswordHasher } from '../tokens/password.js'

/** What the use cases need; assembled once by `createAuthService`. */
export interface AuthDeps {
  store: Store
  keyRing: KeyRing
  hasher: PasswordHasher
  clock: Clock
  settings: AuthSettings
}

export interface AuthSettings {
  issuer: string
  audience: string
  /** Seconds. */
  accessTtl: number
  /** Seconds. */
  refreshTtl: number
}

/** Who is asking, for session records and (later) the audit log. */
export interface RequestContext {
  ip: string | null
  userAgent: string | null
}
