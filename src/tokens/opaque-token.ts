import { createHash, randomBytes } from 'node:crypto'
import { mac } from './derive-key.js'

/**
 * Prefixes make our secrets recognisable to secret scanners and to people reading logs.
 * `gth` is ours; GitHub owns `gh*_`, so we never use it.
 */
export const TOKEN_PREFIXES = {
  refreshToken: 'gthr_',
} as const

/** 32 random bytes = 256 bits of entropy, base64url without padding (43 characters). */
export function generateOpaqueToken(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url')
}

/** Only this SHA-256 is stored: a stolen database yields no usable token. A fast hash is
 * enough because the input already has 256 bits of entropy (no guessing to slow down). */
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** Prefix + 43 base64url characters: anything else cannot be one of our tokens. */
export function hasTokenShape(token: string, prefix: string): boolean {
  return (
    token.length === prefix.length + 43 &&
    token.startsWith(prefix) &&
    /^[A-Za-z0-9_-]+$/.test(token.slice(prefix.length))
  )
}

/**
 * The token that replaces `token` when it is rotated: an HMAC under a server-held key, so
 * it is as unpredictable as a random token to anyone without the secret, yet the same for
 * every concurrent refresh of one token. That lets refreshes inside the reuse window all
 * get the same successor while only hashes are stored.
 */
export function deriveSuccessorToken(key: Buffer, token: string): string {
  return TOKEN_PREFIXES.refreshToken + mac(key, token)
}
