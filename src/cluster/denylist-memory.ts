/** A revoked access token (`jti`) or session (`sid`) and when it stops mattering. */
export interface RevocationEntry {
  kind: 'jti' | 'sid'
  value: string
  /** Epoch ms after which no token it covers can still be valid. */
  expiresAt: number
}

/**
 * The process-local revocation list checked on every authenticated request: two map
 * lookups, no I/O. Entries expire with the tokens they cover, so memory is bounded by
 * the revocations of one access-token lifetime.
 */
export interface RevocationList {
  /** `now` lets expired entries be pruned as new ones arrive. */
  add(entry: RevocationEntry, now: number): void
  isRevoked(jti: string, sid: string | undefined, now: number): boolean
  size(): number
}

const PRUNE_INTERVAL_MS = 60_000

export function createMemoryRevocationList(): RevocationList {
  const byKind = { jti: new Map<string, number>(), sid: new Map<string, number>() }
  let lastPrune = 0

  function prune(now: number): void {
    lastPrune = now
    for (const map of Object.values(byKind)) {
      for (const [value, expiresAt] of map) if (expiresAt <= now) map.delete(value)
    }
  }

  function hit(map: Map<string, number>, value: string, now: number): boolean {
    const expiresAt = map.get(value)
    return expiresAt !== undefined && expiresAt > now
  }

  return {
    add(entry, now) {
      const map = byKind[entry.kind]
      map.set(entry.value, Math.max(entry.expiresAt, map.get(entry.value) ?? 0))
      if (now - lastPrune > PRUNE_INTERVAL_MS) prune(now)
    },
    isRevoked(jti, sid, now) {
      return hit(byKind.jti, jti, now) || (sid !== undefined && hit(byKind.sid, sid, now))
    },
    size: () => byKind.jti.size + byKind.sid.size,
  }
}
