import type { RevocationEntry } from './denylist-memory.js'

/** What one instance tells the others, so state cached in memory stays right everywhere. */
export type ClusterEvent =
  | { type: 'revoked'; entry: RevocationEntry }
  | { type: 'keys_changed' }
  | { type: 'api_keys_evicted'; keyId?: string; ownerId?: string }

export interface ClusterBus {
  /** Tells the other instances; the caller has already applied the change locally. */
  publish(event: ClusterEvent): void
  /** Events from the other instances. */
  subscribe(handler: (event: ClusterEvent) => void): void
  close(): Promise<void>
}

/** One process: nobody else to tell. */
export function createLocalBus(): ClusterBus {
  return { publish: () => undefined, subscribe: () => undefined, close: () => Promise.resolve() }
}
