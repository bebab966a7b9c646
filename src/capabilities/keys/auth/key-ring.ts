import { createPrivateKey, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from 'jose'
import type { JWK } from 'jose'
import type { Clock } from '../../../clock.js'
import { ConfigError, GatehouseError } from '../../../errors/index.js'
import type { SigningKeyRecord, SigningKeyStatus, SigningKeyStore } from '../../../store/store.js'
import { publicKeyFromJwk } from '../../../tokens/jwk.js'
import { createSecretBox } from '../../../tokens/secret-box.js'
import type { KeyRing, KeyUse } from '../../../auth/key-ring.js'
import type { ActiveSigningKey, Jwks, SigningAlgorithm } from '../../../tokens/signing-key.js'

export type { ActiveSigningKey, Jwks, SigningAlgorithm }
export type { KeyRing, KeyUse }

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
  /** Where new key pairs come from; default: generated (see `generateKeyPairFor`). */
  generateKeyPair?: KeyPairSource
}

/** Makes a fresh, extractable key pair for a signing algorithm. */
export type KeyPairSource = (alg: SigningAlgorithm) => Promise<{
  publicKey: CryptoKey | KeyObject
  privateKey: CryptoKey | KeyObject
}>

const ACCESS_RING = 'access'
const idTokenRing = (alg: SigningAlgorithm) => `id:${alg}`

/**
 * Signing keys live in the store, private parts sealed with the server secret. Keys come in
 * rings: one for access tokens and, when an app needs ID tokens of another algorithm (RS256
 * by default), one per such algorithm. Each ring always has a current key and a published
 * next key, so a rotation never introduces a kid that a cached JWKS has not seen. Creation
 * is a conditional insert on a unique index: when several instances start together, one
 * wins and the rest adopt its key.
 */
export async function createKeyRing(options: KeyRingOptions): Promise<KeyRing> {
  const box = createSecretBox(options.secret, 'signing keys')
  const generate = options.generateKeyPair ?? generateKeyPairFor
  interface PublishedKey {
    record: SigningKeyRecord
    jwk: JWK
    publicKey: KeyObject
    /** Epoch ms after which a retired key is neither published nor trusted. */
    until: number
  }
  interface RingState {
    current: ActiveSigningKey
    since: number
  }
  let state: {
    rings: Map<string, RingState>
    published: Map<string, PublishedKey>
    refreshedAt: number
  }
  /** The read in progress for `refreshIfStale`, shared by its concurrent callers. */
  let staleRefresh: Promise<void> | undefined
  const isLive = (key: PublishedKey) => options.clock.now() < key.until
  const algOfRing = (ring: string) =>
    (ring === ACCESS_RING ? options.alg : ring.slice('id:'.length)) as SigningAlgorithm

  async function ensureSlot(records: SigningKeyRecord[], ring: string, status: SigningKeyStatus) {
    if (records.some((r) => r.ring === ring && r.status === status)) return false
    const record = await generateSigningKey(
      generate,
      ring,
      algOfRing(ring),
      status,
      options.clock.now(),
      box.seal,
    )
    await options.store.insertIfSlotFree(record)
    return true
  }

  async function refresh(wanted: readonly string[] = []): Promise<void> {
    let records = await options.store.list()
    const rings = new Set([ACCESS_RING, ...records.map((r) => r.ring), ...wanted])
    let created = false
    for (const ring of rings) {
      if (await ensureSlot(records, ring, 'current')) created = true
      if (await ensureSlot(records, ring, 'next')) created = true
    }
    if (created) records = await options.store.list()

    const accessCurrent = records.find((r) => r.ring === ACCESS_RING && r.status === 'current')
    if (accessCurrent && accessCurrent.alg !== options.alg) {
      throw new ConfigError(
        `GATEHOUSE_SIGNING_ALG is ${options.alg} but the current signing key of this database ` +
          `is ${accessCurrent.alg}; keep ${accessCurrent.alg} (changing algorithms needs a key rotation)`,
      )
    }
    const published = new Map<string, PublishedKey>()
    const ringStates = new Map<string, RingState>()
    for (const record of records) {
      const jwk = JSON.parse(record.publicJwk) as JWK
      const until =
        record.status === 'retired'
          ? (record.retiredAt ?? 0) + options.retiredKeyLifetime
          : Number.POSITIVE_INFINITY
      const publicKey = publicKeyFromJwk(jwk)
      published.set(record.kid, { record, jwk, publicKey, until })
      if (record.status === 'current') {
        ringStates.set(record.ring, {
          current: {
            kid: record.kid,
            alg: record.alg as SigningAlgorithm,
            privateKey: createPrivateKey(openPrivateKey(record)),
          },
          since: record.activatedAt ?? record.createdAt,
        })
      }
    }
    if (!ringStates.has(ACCESS_RING)) throw new Error('no current signing key after creating one')
    // Real elapsed time, not the token clock: this is the age of a cached copy.
    state = { rings: ringStates, published, refreshedAt: performance.now() }
  }

  function ringState(ring: string): RingState {
    const found = state.rings.get(ring)
    if (found === undefined) throw new Error(`no current key in signing key ring ${ring}`)
    return found
  }

  /** Published keys, in creation order, retired ones only while their tokens may live. */
  function live(): PublishedKey[] {
    return [...state.published.values()].filter(isLive)
  }

  async function rotateRing(ring: string, now: number) {
    const next = await generateSigningKey(generate, ring, algOfRing(ring), 'next', now, box.seal)
    await options.store.rotate(ring, ringState(ring).current.kid, next, now)
  }

  async function rotate() {
    const now = options.clock.now()
    for (const ring of state.rings.keys()) await rotateRing(ring, now)
    await options.store.deleteRetiredBefore(now - options.retiredKeyLifetime)
    await refresh()
    return currentAndNext()
  }

  async function revoke(kid: string) {
    // The refresh reads every stored key, retired ones past their life included.
    await refresh()
    const target = state.published.get(kid)?.record
    if (target === undefined) throw new GatehouseError('not_found', 'No such signing key')
    if (target.status === 'current') {
      await rotateRing(target.ring, options.clock.now())
      await refresh()
    }
    await options.store.delete(kid)
    await refresh()
    return currentAndNext()
  }

  function currentAndNext(): { current: string; next: string } {
    const nextKid =
      live().find((k) => k.record.ring === ACCESS_RING && k.record.status === 'next')?.record.kid ??
      ''
    return { current: ringState(ACCESS_RING).current.kid, next: nextKid }
  }

  async function ensureIdTokenRing(alg: SigningAlgorithm): Promise<boolean> {
    if (alg === options.alg) return false
    const ring = idTokenRing(alg)
    if (state.rings.has(ring)) return false
    await refresh([ring])
    return true
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
    signingKey: () => ringState(ACCESS_RING).current,
    verificationKey(kid) {
      const key = state.published.get(kid)
      return key !== undefined && key.record.ring === ACCESS_RING && isLive(key)
        ? key.publicKey
        : undefined
    },
    anyVerificationKey(kid) {
      const key = state.published.get(kid)
      return key !== undefined && isLive(key) ? key.publicKey : undefined
    },
    async idTokenKey(alg) {
      if (alg === options.alg) return ringState(ACCESS_RING).current
      await ensureIdTokenRing(alg)
      return ringState(idTokenRing(alg)).current
    },
    ensureIdTokenRing,
    jwks: () => ({ keys: live().map((k) => k.jwk) }),
    currentSince: () => ringState(ACCESS_RING).since,
    refresh: () => refresh(),
    refreshIfStale(maxAgeMs) {
      if (performance.now() - state.refreshedAt <= maxAgeMs) return Promise.resolve()
      staleRefresh ??= refresh().finally(() => {
        staleRefresh = undefined
      })
      return staleRefresh
    },
    rotate,
    revoke,
    list: () =>
      live().map(({ record }) => ({
        kid: record.kid,
        alg: record.alg,
        status: record.status,
        use: record.ring === ACCESS_RING ? ('access_token' as const) : ('id_token' as const),
        createdAt: record.createdAt,
      })),
  }
}

/**
 * 3072-bit RSA (NIST SP 800-57: 128-bit security, like Ed25519 and P-256) for access
 * tokens and ID tokens alike.
 */
const RSA_MODULUS_BITS = 3072

/** A new key pair of the algorithm (RSA keys of {@link RSA_MODULUS_BITS} bits). */
export const generateKeyPairFor: KeyPairSource = (alg) =>
  generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: RSA_MODULUS_BITS } : {}),
  })

async function generateSigningKey(
  generate: KeyPairSource,
  ring: string,
  alg: SigningAlgorithm,
  status: SigningKeyStatus,
  now: number,
  seal: (plaintext: string) => string,
): Promise<SigningKeyRecord> {
  const { publicKey, privateKey } = await generate(alg)
  const jwk = await exportJWK(publicKey)
  // RFC 7638: the kid is the key's own thumbprint, so it is stable and self-certifying.
  const kid = await calculateJwkThumbprint(jwk, 'sha256')
  const published: JWK = { ...jwk, kid, alg, use: 'sig' }
  return {
    kid,
    ring,
    alg,
    publicJwk: JSON.stringify(published),
    privateKeyEncrypted: seal(await exportPKCS8(privateKey)),
    status,
    createdAt: now,
    activatedAt: status === 'current' ? now : null,
    retiredAt: null,
  }
}
