import { createPrivateKey, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from 'jose'
import type { JWK } from 'jose'
import type { Clock } from '../clock.js'
import { ConfigError, GatehouseError } from '../errors/index.js'
import type { SigningKeyRecord, SigningKeyStatus, SigningKeyStore } from '../store/store.js'
import { publicKeyFromJwk } from '../tokens/jwk.js'
import { createSecretBox } from '../tokens/secret-box.js'
import type { ActiveSigningKey, Jwks, SigningAlgorithm } from '../tokens/signing-key.js'

export type { ActiveSigningKey, Jwks, SigningAlgorithm }

export interface KeyRing {
  /** The key that signs new tokens. */
  signingKey: () => ActiveSigningKey
  /** Public key for a kid, if it is one we publish. Synchronous: used on the hot path. */
  verificationKey: (kid: string) => KeyObject | undefined
  /** The published JWKS (current, next and not-yet-expired retired keys). */
  jwks: () => Jwks
  /** Re-reads the store, creating the current and next keys when they are missing. */
  refresh: () => Promise<void>
  /**
   * Promotes the published next key to current, retires the current one (still published
   * until its tokens expire) and publishes a new next key. Safe when several instances
   * rotate at once: one rotation wins, the others adopt it.
   */
  rotate: () => Promise<{ current: string; next: string }>
  /**
   * Withdraws a key at once (it was compromised): deleted from the store, so it is neither
   * published nor trusted. A current key is first replaced by the published next key; a
   * next key is replaced by a new one. Throws `not_found` for an unknown kid.
   */
  revoke: (kid: string) => Promise<{ current: string; next: string }>
  /** When the current key started signing (epoch ms). */
  currentSince: () => number
  /** Kids as published, with their status. */
  list: () => { kid: string; alg: string; status: SigningKeyStatus; createdAt: number }[]
}

export interface KeyRingOptions {
  store: SigningKeyStore
  secret: string
  alg: SigningAlgorithm
  clock: Clock
  /**
   * How long a retired key stays published: the longest a token it signed can still be
   * valid (access-token lifetime plus leeway). Milliseconds.
   */
  retiredKeyLifetime: number
}

/**
 * Signing keys live in the store, private parts sealed with the server secret. There is
 * always a current key and a published next key, so a rotation never introduces a kid that
 * a resource server's cached JWKS has not seen. Creation is a conditional insert on a unique
 * index: when several instances start together, one wins and the rest adopt its key.
 */
export async function createKeyRing(options: KeyRingOptions): Promise<KeyRing> {
  const box = createSecretBox(options.secret, 'signing keys')
  interface PublishedKey {
    record: SigningKeyRecord
    jwk: JWK
    publicKey: KeyObject
    /** Epoch ms after which a retired key is neither published nor trusted. */
    until: number
  }
  let state: {
    current: ActiveSigningKey
    currentSince: number
    published: Map<string, PublishedKey>
  }
  const isLive = (key: PublishedKey) => options.clock.now() < key.until

  async function ensureSlot(records: SigningKeyRecord[], status: SigningKeyStatus) {
    if (records.some((r) => r.status === status)) return false
    const record = await generateSigningKey(options.alg, status, options.clock.now(), box.seal)
    await options.store.insertIfSlotFree(record)
    return true
  }

  async function refresh(): Promise<void> {
    let records = await options.store.list()
    const createdCurrent = await ensureSlot(records, 'current')
    const createdNext = await ensureSlot(records, 'next')
    if (createdCurrent || createdNext) records = await options.store.list()

    const currentRecord = records.find((r) => r.status === 'current')
    if (!currentRecord) throw new Error('no current signing key after creating one')
    if (currentRecord.alg !== options.alg) {
      throw new ConfigError(
        `GATEHOUSE_SIGNING_ALG is ${options.alg} but the current signing key of this database ` +
          `is ${currentRecord.alg}; keep ${currentRecord.alg} (changing algorithms needs a key rotation)`,
      )
    }
    const published = new Map<string, PublishedKey>()
    for (const record of records) {
      const jwk = JSON.parse(record.publicJwk) as JWK
      const until =
        record.status === 'retired'
          ? (record.retiredAt ?? 0) + options.retiredKeyLifetime
          : Number.POSITIVE_INFINITY
      const publicKey = publicKeyFromJwk(jwk)
      published.set(record.kid, { record, jwk, publicKey, until })
    }
    state = {
      current: {
        kid: currentRecord.kid,
        alg: currentRecord.alg,
        privateKey: createPrivateKey(openPrivateKey(currentRecord)),
      },
      currentSince: currentRecord.activatedAt ?? currentRecord.createdAt,
      published,
    }
  }

  /** Published keys, in creation order, retired ones only while their tokens may live. */
  function live(): PublishedKey[] {
    return [...state.published.values()].filter(isLive)
  }

  async function rotate() {
    const now = options.clock.now()
    const next = await generateSigningKey(options.alg, 'next', now, box.seal)
    await options.store.rotate(state.current.kid, next, now)
    await options.store.deleteRetiredBefore(now - options.retiredKeyLifetime)
    await refresh()
    return currentAndNext()
  }

  async function revoke(kid: string) {
    // The refresh reads every stored key, retired ones past their life included.
    await refresh()
    const target = state.published.get(kid)?.record
    if (target === undefined) throw new GatehouseError('not_found', 'No such signing key')
    if (target.status === 'current') await rotate()
    await options.store.delete(kid)
    await refresh()
    return currentAndNext()
  }

  function currentAndNext(): { current: string; next: string } {
    const nextKid = live().find((k) => k.record.status === 'next')?.record.kid ?? ''
    return { current: state.current.kid, next: nextKid }
  }

  function openPrivateKey(record: SigningKeyRecord): string {
    try {
      return box.open(record.privateKeyEncrypted)
    } catch {
      throw new ConfigError(
        `GATEHOUSE_SECRET does not match the secret signing key ${record.kid} was encrypted with; ` +
          'start with the original secret (the database and its secret belong together)',
      )
    }
  }

  await refresh()
  return {
    signingKey: () => state.current,
    verificationKey(kid) {
      const key = state.published.get(kid)
      return key !== undefined && isLive(key) ? key.publicKey : undefined
    },
    jwks: () => ({ keys: live().map((k) => k.jwk) }),
    currentSince: () => state.currentSince,
    refresh,
    rotate,
    revoke,
    list: () =>
      live().map(({ record }) => ({
        kid: record.kid,
        alg: record.alg,
        status: record.status,
        createdAt: record.createdAt,
      })),
  }
}

async function generateSigningKey(
  alg: SigningAlgorithm,
  status: SigningKeyStatus,
  now: number,
  seal: (plaintext: string) => string,
): Promise<SigningKeyRecord> {
  const { publicKey, privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 3072 } : {}),
  })
  const jwk = await exportJWK(publicKey)
  // RFC 7638: the kid is the key's own thumbprint, so it is stable and self-certifying.
  const kid = await calculateJwkThumbprint(jwk, 'sha256')
  const published: JWK = { ...jwk, kid, alg, use: 'sig' }
  return {
    kid,
    alg,
    publicJwk: JSON.stringify(published),
    privateKeyEncrypted: seal(await exportPKCS8(privateKey)),
    status,
    createdAt: now,
    activatedAt: status === 'current' ? now : null,
    retiredAt: null,
  }
}
