import type { RevocationEntry } from '../shared-state.js'

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
  /** As given (trimmed); null when the user has none. */
  email: string | null
  /** Case-folded; unique among users; what lookups use. */
  emailKey: string | null
  /** When the address was verified; null while it is not. */
  emailVerifiedAt: number | null
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
  /** RFC 9068 §2.2: the client the session's tokens are issued to (`gatehouse` for /login). */
  clientId: string
  /** RFC 8176 methods of the login that opened the session; refreshes keep them. */
  amr: string[]
  /** What an app was granted; null for a /login session (the user's own scopes). */
  scopes: string[] | null
  /** When the user authenticated: the session's creation for /login, the sign-in for an app. */
  authTime: number
  /** An app's session: the browser session that signed in for it (OIDC `sid`), else null. */
  browserSessionId: string | null
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

export type { RevocationEntry } from '../shared-state.js'

/** Every kind of security event the audit log records. */
export const AUDIT_EVENT_TYPES = [
  'login_success',
  'login_failure',
  'refresh',
  'refresh_reuse_detected',
  'logout',
  'password_changed',
  'password_change_failure',
  'session_revoked',
  'api_key_created',
  'api_key_revoked',
  'client_created',
  'client_deleted',
  'client_token_issued',
  'client_auth_failure',
  'user_created',
  'user_updated',
  'user_deleted',
  'signing_key_rotated',
  'signing_key_revoked',
  'mail_failed',
  'email_verification_sent',
  'email_address_in_use',
  'email_verified',
  'password_reset_requested',
  'password_reset',
  'email_change_requested',
  'email_changed',
  'mfa_enrolled',
  'mfa_removed',
  'mfa_reset',
  'mfa_failure',
  'recovery_codes_regenerated',
  'consent_granted',
  'consent_withdrawn',
  'app_signed_in',
  'authorization_code_reused',
] as const

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number]

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
  /**
   * Which tokens the key signs: `access`, or `id:<alg>` for ID tokens of another algorithm
   * than the access tokens'. Each ring has its own current and next key.
   */
  ring: string
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

/** `verify` the current address, `reset` the password, `change` to a new address. */
export type EmailTokenPurpose = 'verify' | 'reset' | 'change'

export interface EmailTokenRecord {
  /** SHA-256 of the token; the token itself is only in the mail. */
  tokenHash: string
  userId: string
  purpose: EmailTokenPurpose
  /** The address the token was sent to (case-folded): it proves nothing for another one. */
  emailKey: string
  /** `change` only: the new address as written (`emailKey` is its folded form); else null. */
  email: string | null
  createdAt: number
  expiresAt: number
}

/** Tokens sent by mail: one outstanding per user and purpose, each spent once. */
export interface EmailTokenStore {
  /** Stores the token, replacing (so invalidating) the user's outstanding one of its purpose. */
  issue(token: EmailTokenRecord): Promise<void>
  /**
   * Spends a live token: of any number of concurrent calls, one gets the record; the rest,
   * and every call for an unknown or expired token, get undefined.
   */
  spend(tokenHash: string, now: number): Promise<EmailTokenRecord | undefined>
  /** A live token without spending it (to check a form before the token is used up). */
  find(tokenHash: string, now: number): Promise<EmailTokenRecord | undefined>
  /** The user's live token of this purpose, if any (an address change waiting for its link). */
  outstanding(
    userId: string,
    purpose: EmailTokenPurpose,
    now: number,
  ): Promise<EmailTokenRecord | undefined>
  /** Drops every outstanding token of the user (e.g. after a password change). */
  deleteForUser(userId: string): Promise<void>
  /** Drops expired tokens (upkeep); returns how many. */
  purgeExpired(now: number): Promise<number>
}

export type MfaFactorType = 'totp' | 'passkey'

export interface MfaFactorRecord {
  id: string
  userId: string
  type: MfaFactorType
  name: string
  /** TOTP: the base32 secret, sealed with the server secret. */
  secretSealed: string | null
  /** TOTP: the last accepted time step (RFC 6238 §5.2: none at or below it is accepted). */
  lastStep: number | null
  /** null while pending: set up but not yet proven with a code. */
  verifiedAt: number | null
  createdAt: number
  lastUsedAt: number | null
  /** Passkey: the WebAuthn credential (ids and key base64url), else null. */
  passkey: PasskeyCredential | null
}

export interface PasskeyCredential {
  credentialId: string
  publicKey: string
  /** The signature counter last seen; 0 for authenticators that keep none (synced passkeys). */
  counter: number
  transports: string[]
}

/** A WebAuthn ceremony in progress: its challenge, spent once. */
export interface WebAuthnFlowRecord {
  id: string
  /** Whose ceremony it is; null for a usernameless sign-in (the passkey names the user). */
  userId: string | null
  purpose: 'register' | 'sign_in' | 'second_factor'
  challenge: string
  createdAt: number
  expiresAt: number
}

/** Second factors, recovery codes and pending second steps of logins. */
export interface MfaStore {
  insertFactor(factor: MfaFactorRecord): Promise<void>
  findFactor(id: string): Promise<MfaFactorRecord | undefined>
  /** Oldest first, pending ones included. */
  listFactors(userId: string): Promise<MfaFactorRecord[]>
  findPasskey(credentialId: string): Promise<MfaFactorRecord | undefined>
  /** Records a passkey's use: its new signature counter. */
  usePasskey(id: string, counter: number, at: number): Promise<void>
  createFlow(flow: WebAuthnFlowRecord): Promise<void>
  /** Spends a live flow once (of concurrent calls, one gets it). */
  spendFlow(id: string, now: number): Promise<WebAuthnFlowRecord | undefined>
  /** Which of these users have a verified factor (one query for a page of users). */
  usersWithFactors(userIds: readonly string[]): Promise<Set<string>>
  /** Marks a pending factor verified; false if it was not pending (or is gone). */
  verifyFactor(id: string, at: number): Promise<boolean>
  /**
   * Accepts TOTP time step `step` for the factor only if it is above the last accepted
   * one (compare-and-set: of concurrent callers with the same step, one wins).
   */
  acceptStep(id: string, step: number, at: number): Promise<boolean>
  deleteFactor(userId: string, id: string): Promise<boolean>
  /** Every factor, code and pending step of the user (an admin's reset). Returns the factors removed. */
  deleteAllForUser(userId: string): Promise<number>
  /** Replaces the user's recovery codes (the old set dies). */
  replaceRecoveryCodes(userId: string, codeHashes: string[], at: number): Promise<void>
  /** Spends an unused code of the user once (of concurrent calls, one wins). */
  spendRecoveryCode(userId: string, codeHash: string, at: number): Promise<boolean>
  countRecoveryCodes(userId: string): Promise<number>
  createChallenge(challenge: MfaChallengeRecord): Promise<void>
  findChallenge(tokenHash: string, now: number): Promise<MfaChallengeRecord | undefined>
  /** Counts a wrong code; the challenge dies at `maxFailures`. Returns the failures so far. */
  failChallenge(tokenHash: string, maxFailures: number): Promise<number>
  /** Spends a live challenge once (of concurrent calls, one wins). */
  spendChallenge(tokenHash: string, now: number): Promise<boolean>
  purgeExpiredChallenges(now: number): Promise<number>
  /** Ends the user's pending second steps (their password just changed). */
  deleteChallenges(userId: string): Promise<void>
}

/** A password login waiting for its second factor. */
export interface MfaChallengeRecord {
  tokenHash: string
  userId: string
  failures: number
  createdAt: number
  expiresAt: number
}

/**
 * `pending`: waiting for delivery; `sent`; `failed`: given up after the last attempt;
 * `outbox`: kept for `gatehouse mail outbox` because no SMTP server is configured.
 */
export type MailStatus = 'pending' | 'sent' | 'failed' | 'outbox'

export interface MailRecord {
  id: string
  to: string
  subject: string
  text: string
  html: string
  status: MailStatus
  attempts: number
  nextAttemptAt: number
  lastError: string | null
  createdAt: number
  sentAt: number | null
}

/** Mail waiting to be delivered, shared by every instance. */
export interface MailQueueStore {
  enqueue(message: MailRecord): Promise<void>
  /**
   * Claims up to `limit` due pending messages for `leaseMs`: each is claimed by one caller
   * only, however many instances ask at once; a crashed claimer's lease runs out.
   */
  claimDue(now: number, limit: number, leaseMs: number): Promise<MailRecord[]>
  markSent(id: string, at: number): Promise<void>
  /** Records a failed attempt: retried at `nextAttemptAt`, or `failed` when null. */
  markAttemptFailed(id: string, error: string, nextAttemptAt: number | null): Promise<void>
  /** Newest first. */
  list(query: { status?: MailStatus }, page: { limit: number }): Promise<MailRecord[]>
}

export interface UserStore {
  /**
   * Inserts unless the username key is taken, or the address is verified and another user
   * holds it verified; atomic under concurrency.
   */
  insert(user: UserRecord): Promise<'created' | 'username_taken' | 'email_taken'>
  findById(id: string): Promise<UserRecord | undefined>
  findByUsernameKey(usernameKey: string): Promise<UserRecord | undefined>
  /** The user holding this address verified (at most one); unverified claims do not count. */
  findByVerifiedEmail(emailKey: string): Promise<UserRecord | undefined>
  /**
   * Sets (or with null, removes) the user's address. An unverified address reserves
   * nothing; a verified one is unique (atomically: two users can never both hold one
   * verified), and setting it verified takes it from every other user who only claimed
   * it, in the same transaction.
   */
  setEmail(
    id: string,
    email: { email: string; emailKey: string; verifiedAt: number | null } | null,
    at: number,
  ): Promise<'updated' | 'email_taken' | 'not_found'>
  /** Applies the patch and returns the updated user, or undefined when there is none. */
  update(id: string, patch: UserPatch, at: number): Promise<UserRecord | undefined>
  /** Deletes the user with their sessions and keys; false when there was none. */
  delete(id: string): Promise<boolean>
  /** Oldest first. */
  list(query: UserQuery, page: { limit: number; after?: PageAfter }): Promise<UserRecord[]>
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
  /** Revokes the user's live sessions with one app; returns the revoked ids. */
  revokeAllForUserAndClient(userId: string, clientId: string, at: number): Promise<string[]>
  /** Revokes every live session of one app, whoever's; returns the revoked ids. */
  revokeAllForClient(clientId: string, at: number): Promise<string[]>
  /** Live (unrevoked, unexpired) sessions, newest first. */
  listActiveForUser(
    userId: string,
    now: number,
    page: { limit: number; after?: PageAfter },
  ): Promise<SessionRecord[]>
}

export interface ApiKeyRecord {
  id: string
  userId: string
  name: string
  /** SHA-256 of the whole key; the key is shown once and never stored. */
  keyHash: string
  /** The key's first characters and last four, so users can recognise it in lists. */
  prefix: string
  last4: string
  scopes: string[]
  createdAt: number
  lastUsedAt: number | null
  expiresAt: number | null
  revokedAt: number | null
}

export interface ApiKeyStore {
  insert(key: ApiKeyRecord): Promise<void>
  /** The key with its owner, whatever its state; callers check revocation and expiry. */
  findByHash(keyHash: string): Promise<{ key: ApiKeyRecord; owner: UserRecord } | undefined>
  listForUser(userId: string, page: { limit: number; after?: PageAfter }): Promise<ApiKeyRecord[]>
  /** Revokes a live key of this user; false when there is none. */
  revoke(userId: string, id: string, at: number): Promise<boolean>
  /** Revokes every live key of the user; returns how many. */
  revokeAllForUser(userId: string, at: number): Promise<number>
  touch(id: string, at: number): Promise<void>
}

export type GrantType = 'client_credentials' | 'authorization_code' | 'refresh_token'

/** RFC 7591 §2: how the client authenticates at the token endpoint; `none` = public. */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none'

export type IdTokenAlgorithm = 'RS256' | 'ES256' | 'EdDSA'

export interface OAuthClientRecord {
  /** The public client_id. */
  id: string
  name: string
  /** SHA-256 of the client secret; null for a public client (it has none). */
  secretHash: string | null
  /** What the client may ask for (`openid`, `profile`, `email`, `offline_access`, API scopes). */
  scopes: string[]
  createdAt: number
  /** Whether the client may call the introspection endpoint (RFC 7662 §2.1). */
  introspect: boolean
  /** Exact redirect URIs of the authorization code flow. */
  redirectUris: string[]
  /** Where RP-initiated logout may send the browser afterwards. */
  postLogoutRedirectUris: string[]
  grantTypes: GrantType[]
  tokenEndpointAuthMethod: TokenEndpointAuthMethod
  /** First-party: the user is not asked to consent. */
  skipConsent: boolean
  /** RFC 7518 algorithm of the client's ID tokens (OIDC Registration `id_token_signed_response_alg`). */
  idTokenAlg: IdTokenAlgorithm
}

/** An authorization code (RFC 6749 §4.1.2), bound to everything the request said. */
export interface AuthorizationCodeRecord {
  /** SHA-256 of the code; the code itself went to the client only. */
  codeHash: string
  clientId: string
  userId: string
  redirectUri: string
  /** RFC 7636 S256 challenge. */
  codeChallenge: string
  scopes: string[]
  nonce: string | null
  /** When the user authenticated (epoch ms) and how (RFC 8176). */
  authTime: number
  amr: string[]
  /** The browser session that approved the request (OIDC `sid`); null if none is known. */
  browserSessionId: string | null
  createdAt: number
  expiresAt: number
}

export interface AuthorizationCodeStore {
  insert(code: AuthorizationCodeRecord): Promise<void>
  /** The code whatever its state, with when it was used (null while unused). */
  find(
    codeHash: string,
  ): Promise<{ code: AuthorizationCodeRecord; usedAt: number | null } | undefined>
  /** Spends an unused code: of concurrent calls exactly one gets true. */
  spend(codeHash: string, at: number): Promise<boolean>
  /**
   * Marks a used code as used again; returns the session its first use opened (null while
   * that use is still opening it: `attachSession` then fails and the opener ends it).
   */
  markReused(codeHash: string, at: number): Promise<string | null>
  /**
   * Records the session the exchange opened. False when the code was reused meanwhile: the
   * caller must then end that session.
   */
  attachSession(codeHash: string, sessionId: string): Promise<boolean>
  /**
   * Voids the user's live codes (of one client, or all): an unused one can no longer be
   * spent, and an exchange in flight fails to attach its session (the opener then ends
   * it), exactly as for a reused code. Returns how many codes were voided.
   */
  voidForUser(userId: string, clientId: string | null, at: number): Promise<number>
  /** Deletes codes that expired before `before`; returns how many. */
  purgeExpired(before: number): Promise<number>
}

/** A user's consent to an app (OIDC Core §3.1.2.4), remembered for the scopes granted. */
export interface ConsentRecord {
  userId: string
  clientId: string
  scopes: string[]
  createdAt: number
  updatedAt: number
}

export interface ConsentStore {
  /** Sets the remembered scopes (creating the consent, or replacing its scopes). */
  save(consent: ConsentRecord): Promise<void>
  find(userId: string, clientId: string): Promise<ConsentRecord | undefined>
  /** Newest first. */
  listForUser(userId: string, page: { limit: number; after?: PageAfter }): Promise<ConsentRecord[]>
  delete(userId: string, clientId: string): Promise<boolean>
}

export interface OAuthClientStore {
  insert(client: OAuthClientRecord): Promise<void>
  findById(id: string): Promise<OAuthClientRecord | undefined>
  list(page: { limit: number; after?: PageAfter }): Promise<OAuthClientRecord[]>
  delete(id: string): Promise<boolean>
}

export interface UserQuery {
  /** Case-folded prefix of the username. */
  usernamePrefix?: string
}

/** Revocations, durably: what a new or restarted instance loads into its list. */
export interface RevocationStore {
  /** Adds an entry; adding one twice keeps the later expiry. */
  add(entry: RevocationEntry, at: number): Promise<void>
  /** Entries not yet expired, to fill a fresh instance's in-memory list. */
  listActive(now: number): Promise<RevocationEntry[]>
  /** Deletes expired entries; returns how many. */
  purgeExpired(now: number): Promise<number>
}

export interface AuditStore {
  append(event: AuditEventRecord): Promise<void>
  /** Newest first. */
  list(filter: AuditFilter, page: { limit: number; after?: PageAfter }): Promise<AuditEventRecord[]>
  /** Oldest first, strictly after `after` (for exports that follow the log as it grows). */
  listOldestFirst(
    filter: AuditFilter,
    page: { limit: number; after?: PageAfter },
  ): Promise<AuditEventRecord[]>
  /** Deletes events older than `at` (epoch ms), in bounded batches; returns how many. */
  deleteBefore(at: number): Promise<number>
}

export interface SigningKeyStore {
  list(): Promise<SigningKeyRecord[]>
  /**
   * Rotation: the next key becomes current, the current one retired, and `newNext` the
   * next key, in one transaction, only if `expectedCurrentKid` is still current. False
   * when another rotation won.
   */
  rotate(
    ring: string,
    expectedCurrentKid: string,
    newNext: SigningKeyRecord,
    at: number,
  ): Promise<boolean>
  /** Deletes retired keys retired before this time (their tokens have all expired). */
  deleteRetiredBefore(at: number): Promise<number>
  /**
   * Inserts a 'current' or 'next' key only if no key of its ring holds that status yet. Returns false
   * when another instance won the race; callers then re-read with `list()`.
   */
  insertIfSlotFree(key: SigningKeyRecord): Promise<boolean>
  /** Deletes a key whatever its status (a compromised key); false when there was none. */
  delete(kid: string): Promise<boolean>
}

export interface Store {
  readonly users: UserStore
  readonly sessions: SessionStore
  readonly signingKeys: SigningKeyStore
  readonly revocations: RevocationStore
  readonly audit: AuditStore
  readonly apiKeys: ApiKeyStore
  readonly clients: OAuthClientStore
  readonly mail: MailQueueStore
  readonly emailTokens: EmailTokenStore
  readonly mfa: MfaStore
  readonly authorizationCodes: AuthorizationCodeStore
  readonly consents: ConsentStore
  /** Brings the schema up to date; safe to call on every start. */
  migrate(): Promise<void>
  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>
  close(): Promise<void>
}
