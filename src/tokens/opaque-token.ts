import { createHash, randomBytes } from 'node:crypto'

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
