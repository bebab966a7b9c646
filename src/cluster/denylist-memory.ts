/**
 * A revoked access token (`jti`), session (`sid`) or subject (`sub`) and when it stops
 * mattering. A `sub` entry with `before` covers only tokens whose jti sorts before it.
 */
export interface RevocationEntry {
  kind: 'jti' | 'sid' | 'sub'
  value: string
  /** Epoch ms after which no token it covers can still be valid. */
  expiresAt: number
  before?: string
}

/**
 * The process-local revocation list checked on every authenticated request: three map
 * lookups, no I/O. Entries expire with the tokens they cover, so memory is bounded by
 * the revocations of one access-token lifetime.
 */
export interface RevocationList {
  /** `now` lets expired entries be pruned as new ones arrive. */
  add(entry: RevocationEntry, now: number): void
  isRevoked(jti: string, sid: string | undefined, sub: string, now: number): boolean
  size(): number
}

const PRUNE_INTERVAL_MS = 60_000
/** Sorts after every UUID: a `sub` entry without a cut-off covers all its tokens. */
const EVERYTHING = '~'

interface Held {
  expiresAt: number
  before: string
}

export function createMemoryRevocationList(): RevocationList {
  const byKind = {
    jti: new Map<string, Held>(),
    sid: new Map<string, Held>(),
    sub: new Map<string, Held>(),
  }
  let lastPrune = 0

  function prune(now: number): void {
    lastPrune = now
    for (const map of Object.values(byKind)) {
      for (const [value, held] of map) if (held.expiresAt <= now) map.delete(value)
    }
  }

  return {
    add(entry, now) {
      const map = byKind[entry.kind]
      const held = map.get(entry.value)
      const before = entry.before ?? EVERYTHING
      map.set(entry.value, {
        expiresAt: Math.max(entry.expiresAt, held?.expiresAt ?? 0),
        before: held && held.before > before ? held.before : before,
      })
      if (now - lastPrune > PRUNE_INTERVAL_MS) prune(now)
    },
    isRevoked(jti, sid, sub, now) {
      const byJti = byKind.jti.get(jti)
      if (byJti !== undefined && byJti.expiresAt > now) return true
      const bySid = sid === undefined ? undefined : byKind.sid.get(sid)
      if (bySid !== undefined && bySid.expiresAt > now) return true
      const bySub = byKind.sub.get(sub)
      return bySub !== undefined && bySub.expiresAt > now && jti < bySub.before
    },
    size: () => byKind.jti.size + byKind.sid.size + byKind.sub.size,
  }
}
