import type { RevocationList } from '../shared-state.js'

export type { RevocationEntry, RevocationList } from '../shared-state.js'

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
