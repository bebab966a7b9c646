import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto'

/**
 * A 256-bit key for one purpose, derived from the server secret with HKDF (RFC 5869), so
 * the raw secret is never used as a key and each purpose gets an independent one.
 */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'gatehouse', `gatehouse ${purpose}`, 32))
}

/** HMAC-SHA256 of a value, base64url. */
export function mac(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('base64url')
}

/** Constant-time string comparison (different lengths compare false at once). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}
