import type { JsonWebKey, KeyObject } from 'node:crypto'
import type { Clock } from '../clock.js'
import { publicKeyFromJwk } from '../tokens/jwk.js'

/** Public key for a kid: synchronous when known, a promise when it must be fetched. */
export type KeySource = (kid: string) => KeyObject | undefined | Promise<KeyObject | undefined>

interface Jwk extends JsonWebKey {
  kid?: string
  use?: string
}

/** Keys from a JWKS document held in memory (e.g. read from a file at start). */
export function createLocalKeySource(jwks: { keys: unknown[] }): KeySource {
  const keys = importJwks(jwks)
  return (kid) => keys.get(kid)
}

export interface RemoteKeySourceOptions {
  /** Minimum time between fetches triggered by unknown kids. Default 30 s. */
  cooldown?: number
  /** Give up on a fetch after this long. Default 5 s. */
  timeout?: number
  /** Freshness when the response has no Cache-Control max-age. Default 5 min. */
  defaultMaxAge?: number
  /** Bounds on a server-sent max-age. Default 30 s to 24 h. */
  minMaxAge?: number
  maxMaxAge?: number
  clock?: Clock
  fetch?: typeof fetch
}

/**
 * A remote JWKS (RFC 7517) with the behaviour resource servers need; jose's
 * createRemoteJWKSet lacks the second and third:
 * - known kids answer synchronously from memory (the hot path does no I/O);
 * - freshness follows the server's `Cache-Control: max-age`; a stale set is refreshed in
 *   the background while the cached keys keep answering;
 * - when the auth server is down, the last keys keep verifying;
 * - an unknown kid triggers at most one fetch per cooldown, so a flood of forged kids
 *   cannot become a fetch storm; concurrent misses share one fetch.
 * Times are milliseconds.
 */
export function createRemoteKeySource(
  url: string,
  options: RemoteKeySourceOptions = {},
): KeySource {
  const cooldown = options.cooldown ?? 30_000
  const timeout = options.timeout ?? 5_000
  const defaultMaxAge = options.defaultMaxAge ?? 300_000
  const minMaxAge = options.minMaxAge ?? 30_000
  const maxMaxAge = options.maxMaxAge ?? 86_400_000
  const now = () => (options.clock ?? { now: Date.now }).now()
  const fetchImpl = options.fetch ?? fetch

  let keys = new Map<string, KeyObject>()
  let freshUntil = 0
  let lastAttempt = Number.NEGATIVE_INFINITY
  let pending: Promise<void> | undefined

  function refresh(): Promise<void> {
    pending ??= (async () => {
      lastAttempt = now()
      try {
        const response = await fetchImpl(url, {
          headers: { accept: 'application/jwk-set+json, application/json' },
          signal: AbortSignal.timeout(timeout),
        })
        if (!response.ok) throw new Error(`JWKS answered ${response.status}`)
        const body: unknown = await response.json()
        if (!isJwks(body)) throw new Error('JWKS response is not a key set')
        keys = importJwks(body)
        freshUntil =
          now() +
          clamp(
            maxAgeOf(response.headers.get('cache-control')) ?? defaultMaxAge,
            minMaxAge,
            maxMaxAge,
          )
      } catch {
        // Keep the keys we have: an unreachable auth server must not stop verification.
        // The next attempt waits for the cooldown.
        freshUntil = Math.max(freshUntil, now() + cooldown)
      } finally {
        pending = undefined
      }
    })()
    return pending
  }

  return (kid) => {
    const key = keys.get(kid)
    if (key !== undefined) {
      if (now() >= freshUntil && pending === undefined) void refresh()
      return key
    }
    if (pending !== undefined) return pending.then(() => keys.get(kid))
    if (now() - lastAttempt < cooldown) return undefined
    return refresh().then(() => keys.get(kid))
  }
}

function isJwks(value: unknown): value is { keys: unknown[] } {
  return (
    typeof value === 'object' && value !== null && Array.isArray((value as { keys?: unknown }).keys)
  )
}

/** Signing keys with a kid; anything malformed or meant for encryption is skipped. */
function importJwks(jwks: { keys: unknown[] }): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>()
  for (const candidate of jwks.keys) {
    if (typeof candidate !== 'object' || candidate === null) continue
    const jwk = candidate as Jwk
    if (typeof jwk.kid !== 'string' || (jwk.use !== undefined && jwk.use !== 'sig')) continue
    try {
      keys.set(jwk.kid, publicKeyFromJwk(jwk))
    } catch {
      // An unusable key is not ours to verify with.
    }
  }
  return keys
}

function maxAgeOf(cacheControl: string | null): number | undefined {
  if (cacheControl === null || /(^|,)\s*no-(store|cache)\b/i.test(cacheControl)) {
    return cacheControl === null ? undefined : 0
  }
  const match = /(?:^|,)\s*max-age=(\d+)/i.exec(cacheControl)
  return match?.[1] === undefined ? undefined : Number(match[1]) * 1000
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max)
}
