import { safeEqual } from '../tokens/derive-key.js'

/**
 * Whether a presented shared secret (the metrics token) is the configured one, compared
 * in constant time so the answer's timing tells nothing about how much of it matched.
 */
export function sharedSecretMatches(presented: string, expected: string): boolean {
  return safeEqual(presented, expected)
}
