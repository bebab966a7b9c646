/**
 * The storage port. Use cases depend on this interface only; `kysely/` implements it for
 * SQLite today and Postgres next. Times are epoch milliseconds; ids are opaque strings.
 */

export interface UserRecord {
  id: string
  /** As registered, after NFKC normalisation; shown back to the user. */
  username: string
  /** Case-folded form; unique; what lookups use. */
  usernameKey: string
  passwordHash: string
  roles: string[]
  disabled: boolean
  createdAt: number
  updatedAt: number
}

export interface SessionRecord {
  id: string
  userId: string
  createdAt: number
  lastUsedAt: number
  /** Absolute end of the session, whatever the refreshes. */
  expiresAt: number
  ip: string | null
  userAgent: string | null
  revokedAt: number | null
}

export interface NewRefreshToken {
  /** SHA-256 of the opaque token; the token itself is never stored. */
  tokenHash: string
  sessionId: string
  createdAt: number
  expiresAt: number
}

export interface RefreshTokenRecord extends NewRefreshToken {
  /** When it was exchanged for its successor; null while it is the live token. */
  rotatedAt: number | null
  successorHash: string | null
}

/** A revoked access token (`jti`) or session (`sid`), remembered until tokens expire. */
export interface DenylistEntry {
  kind: 'jti' | 'sid'
  value: string
  expiresAt: number
}

export type AuditEventType =
  | 'login_success'
  | 'login_failure'
  | 'refresh'
  | 'refresh_reuse_detected'
  | 'logout'
  | 'password_changed'
  | 'session_revoked'

export interface AuditEventRecord {
  id: string
  type: AuditEventType
  userId: string | null
  ip: string | null
  userAgent: string | null
  at: number
  details: Record<string, unknown>
}

export interface AuditFilter {
  userId?: string
  type?: AuditEventType
  /** Inclusive lower bound on `at`. */
  since?: number
  /** Exclusive upper bound on `at`. */
  until?: number
}

/** Keyset pagination: rows strictly after this position in the list's order. */
export interface PageAfter {
  at: number
  id: string
}

export type SigningKeyStatus = 'current' | 'next' | 'retired'

export interface SigningKeyRecord {
  /** RFC 7638 thumbprint of the public key. */
  kid: string
  alg: string
  /** Public JWK as JSON text. */
  publicJwk: string
  /** Private key (PKCS#8), encrypted with the server secret. */
  privateKeyEncrypted: string
  status: SigningKeyStatus
  createdAt: number
  activatedAt: number | null
  retiredAt: number | null
}

export type UserPatch = Partial<Pick<UserRecord, 'passwordHash' | 'roles' | 'disabled'>>

export interface UserStore {
  /** Inserts unless the username key is taken; atomic under concurrency. */
  insert(user: UserRecord): Promise<'created' | 'username_taken'>
  findById(id: string): Promise<UserRecord | undefined>
  findByUsernameKey(usernameKey: string): Promise<UserRecord | undefined>
  /** Applies the patch and returns the updated user, or undefined when there is none. */
  update(id: string, patch: UserPatch, at: number): Promise<UserRecord | undefined>
}

export interface SessionStore {
  /** Creates a session together with its first refresh token, atomically. */
  create(session: SessionRecord, firstToken: NewRefreshToken): Promise<void>
  findById(id: string): Promise<SessionRecord | undefined>
  findRefreshToken(
    tokenHash: string,
  ): Promise<{ token: RefreshTokenRecord; session: SessionRecord } | undefined>
  /**
   * Compare-and-swap: marks the token rotated and stores its successor, only if it was
   * still live. Exactly one of any number of concurrent calls for a token returns true.
   */
  rotate(tokenHash: string, successor: NewRefreshToken, at: number): Promise<boolean>
  /** Revokes one live session; false when it was unknown or already revoked. */
  revoke(id: string, at: number): Promise<boolean>
  /** Revokes the user's live sessions, optionally sparing one; returns the revoked ids. */
  revokeAllForUser(userId: string, at: number, exceptSessionId?: string): Promise<string[]>
  /** Live (unrevoked, unexpired) sessions, newest first. */
  listActiveForUser(
    userId: string,
    now: number,
    page: { limit: number; after?: PageAfter },
  ): Promise<SessionRecord[]>
}

export interface DenylistStore {
  /** Adds an entry; adding one twice keeps the later expiry. */
  add(entry: DenylistEntry, at: number): Promise<void>
  /** Entries not yet expired, to fill a fresh instance's in-memory list. */
  listActive(now: number): Promise<DenylistEntry[]>
  /** Deletes expired entries; returns how many. */
  purgeExpired(now: number): Promise<number>
}

export interface AuditStore {
  append(event: AuditEventRecord): Promise<void>
  /** Newest first. */
  list(filter: AuditFilter, page: { limit: number; after?: PageAfter }): Promise<AuditEventRecord[]>
}

export interface SigningKeyStore {
  list(): Promise<SigningKeyRecord[]>
  /**
   * Inserts a 'current' or 'next' key only if no key holds that status yet. Returns false
   * when another instance won the race; callers then re-read with `list()`.
   */
  insertIfSlotFree(key: SigningKeyRecord): Promise<boolean>
}

export interface Store {
  readonly users: UserStore
  readonly sessions: SessionStore
  readonly signingKeys: SigningKeyStore
  readonly denylist: DenylistStore
  readonly audit: AuditStore
  /** Brings the schema up to date; safe to call on every start. */
  migrate(): Promise<void>
  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>
  close(): Promise<void>
}
