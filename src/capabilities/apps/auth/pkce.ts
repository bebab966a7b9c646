import { createHash } from 'node:crypto'
import { safeEqual } from '../../../tokens/derive-key.js'

/** RFC 7636 §4.1: 43–128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/
/** §4.2: BASE64URL(SHA256(verifier)), 43 characters without padding. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/

export function isS256Challenge(challenge: string): boolean {
  return S256_CHALLENGE.test(challenge)
}

/** Whether the verifier hashes to the challenge (RFC 7636 §4.6, S256 only). */
export function verifierMatches(verifier: string, challenge: string): boolean {
  if (!VERIFIER.test(verifier)) return false
  const computed = createHash('sha256').update(verifier, 'ascii').digest('base64url')
  return safeEqual(computed, challenge)
}
