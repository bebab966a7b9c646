import type { Job } from './context.js'
import type { EventHandler, EventHandlers, SignInGate } from './deps.js'

/**
 * What a capability (`src/capabilities/<name>/`) declares to the kits, which mount it
 * without importing it: `src/capabilities/index.ts` is the one list they read.
 */
export interface Capability {
  readonly name: string
  /** Capabilities it imports (through their index.ts); they come earlier in the list. */
  readonly dependsOn: readonly string[]
  /** Rules every sign-in passes, in list order after "not disabled" (see completeSignIn). */
  readonly signInGates?: readonly SignInGate[]
  /** Upkeep every instance runs about once a minute. */
  readonly jobs?: readonly Job[]
  /** Reactions to recorded events (audit types), run in the request that recorded them. */
  readonly on?: EventHandlers
}

/** Every capability's reactions, by event type, in list order. */
export function reactionsOf(list: readonly Capability[]): EventHandlers {
  const merged: Partial<Record<string, EventHandler[]>> = {}
  for (const capability of list) {
    for (const [type, handlers] of Object.entries(capability.on ?? {})) {
      ;(merged[type] ??= []).push(...(handlers ?? []))
    }
  }
  return merged
}

/**
 * Refuses a list where a capability comes twice or before one it depends on, at start-up
 * rather than as a missing route or gate later (fastify-plugin's `dependencies`, by list).
 */
export function checkCapabilities(list: readonly Capability[]): void {
  const seen = new Set<string>()
  for (const capability of list) {
    if (seen.has(capability.name)) throw new Error(`capability ${capability.name} is listed twice`)
    for (const needed of capability.dependsOn) {
      if (!seen.has(needed)) {
        throw new Error(`capability ${capability.name} needs ${needed} earlier in the list`)
      }
    }
    seen.add(capability.name)
  }
}
