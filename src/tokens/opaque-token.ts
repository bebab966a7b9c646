import { createHash, randomBytes } from 'node:crypto'
import { mac } from './derive-key.js'

/**
 * Prefixes make our secrets recognisable to secret scanners and to people reading logs.
 * `gth` is ours; GitHub owns `gh*_`, so we never use it.
 */
export const TOKEN_PREFIXES = {
  refreshToken: 'gthr_',
  apiKey: 'gthk_',
  clientSecret: 'gthc_',
  emailToken: 'gthm_',
  mfaToken: 'gthf_',
  authorizationCode: 'gtha_',
} as const

const CHECKSUM_LENGTH = 6

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

/**
 * A long-lived secret shown once to a person (API key, client secret):
 * `prefix` + 43 random characters + `_` + a 6-character checksum of them. The checksum
 * lets a mistyped or truncated key be refused without a database lookup, and makes the
 * format precise enough for secret scanners to match with few false positives.
 */
export function generateChecksummedSecret(prefix: string): string {
  const body = randomBytes(32).toString('base64url')
  return `${prefix}${body}_${checksumOf(body)}`
}

export function hasValidChecksum(secret: string, prefix: string): boolean {
  if (secret.length !== prefix.length + 43 + 1 + CHECKSUM_LENGTH || !secret.startsWith(prefix)) {
    return false
  }
  const body = secret.slice(prefix.length, prefix.length + 43)
  const checksum = secret.slice(-CHECKSUM_LENGTH)
  return (
    /^[A-Za-z0-9_-]{43}$/.test(body) &&
    secret[prefix.length + 43] === '_' &&
    checksum === checksumOf(body)
  )
}

function checksumOf(body: string): string {
  return createHash('sha256').update(body).digest('base64url').slice(0, CHECKSUM_LENGTH)
}
