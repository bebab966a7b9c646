import type { KeyObject } from 'node:crypto'
import type { SigningKeyStatus } from '../store/store.js'
import type { ActiveSigningKey, Jwks, SigningAlgorithm } from '../tokens/signing-key.js'

/**
 * The signing keys as every use case sees them (the port); the keys capability keeps them
 * (capabilities/keys/auth/key-ring.ts).
 */
export interface KeyRing {
  /** The key that signs new access tokens. */
  signingKey: () => ActiveSigningKey
  /**
   * Public key of an access-token signing key, if we publish it. Synchronous: used on the
   * hot path. ID-token keys are not among them: an ID token is no access token.
   */
  verificationKey: (kid: string) => KeyObject | undefined
  /** Public key of any published key, ID-token keys included (an `id_token_hint`). */
  anyVerificationKey: (kid: string) => KeyObject | undefined
  /**
   * The key that signs ID tokens of this algorithm: the access tokens' key when the
   * algorithms match, else the current key of that algorithm's ring, created on first use.
   */
  idTokenKey: (alg: SigningAlgorithm) => Promise<ActiveSigningKey>
  /**
   * Creates the ring for ID tokens of this algorithm unless it exists, so its keys are
   * published before the first ID token needs them. True when it created one.
   */
  ensureIdTokenRing: (alg: SigningAlgorithm) => Promise<boolean>
  /** The published JWKS (current, next and not-yet-expired retired keys of every ring). */
  jwks: () => Jwks
  /** Re-reads the store, creating the current and next keys when they are missing. */
  refresh: () => Promise<void>
  /**
   * Re-reads the store if this instance's copy is older than `maxAgeMs` (real time).
   * Concurrent callers share one read.
   */
  refreshIfStale: (maxAgeMs: number) => Promise<void>
  /**
   * Promotes the published next key to current, retires the current one (still published
   * until its tokens expire) and publishes a new next key, in every ring. Safe when
   * several instances rotate at once: one rotation wins, the others adopt it.
   */
  rotate: () => Promise<{ current: string; next: string }>
  /**
   * Withdraws a key at once (it was compromised): deleted from the store, so it is neither
   * published nor trusted. A current key is first replaced by the published next key; a
   * next key is replaced by a new one. Throws `not_found` for an unknown kid.
   */
  revoke: (kid: string) => Promise<{ current: string; next: string }>
  /** When the current access-token key started signing (epoch ms). */
  currentSince: () => number
  /** Kids as published, with their status and what they sign. */
  list: () => {
    kid: string
    alg: string
    status: SigningKeyStatus
    use: KeyUse
    createdAt: number
  }[]
}

/** What a key signs: access tokens, or only ID tokens (a ring of another algorithm). */
export type KeyUse = 'access_token' | 'id_token'
