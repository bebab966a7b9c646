import type { ClusterBus } from '../shared-state.js'

export type { ClusterBus, ClusterEvent } from '../shared-state.js'

/** One process: nobody else to tell. */
export function createLocalBus(): ClusterBus {
  return { publish: () => undefined, subscribe: () => undefined, close: () => Promise.resolve() }
}
