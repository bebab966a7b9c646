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

export interface RefreshTokenRecord {
  /** SHA-256 of the opaque token; the token itself is never stored. */
  tokenHash: string
  sessionId: string
  createdAt: number
  expiresAt: number
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
  create(session: SessionRecord, firstToken: RefreshTokenRecord): Promise<void>
  findById(id: string): Promise<SessionRecord | undefined>
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
  /** Brings the schema up to date; safe to call on every start. */
  migrate(): Promise<void>
  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>
  close(): Promise<void>
}
