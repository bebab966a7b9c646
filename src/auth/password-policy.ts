import { GatehouseError } from '../errors/index.js'

export const MIN_PASSWORD_LENGTH = 8
export const MAX_PASSWORD_LENGTH = 256

let commonPasswords: Promise<Set<string>> | undefined

/**
 * ~49,000 most common passwords from leaked corpora (zxcvbn-ts's list), lower-cased. The
 * package (all of zxcvbn-ts's dictionaries, ~14 MB resident) is loaded on the first
 * password set, not at start-up: most processes only verify tokens.
 */
async function isCommon(password: string): Promise<boolean> {
  commonPasswords ??= import('@zxcvbn-ts/language-common').then(
    ({ dictionary }) => new Set(dictionary['passwords-common'].map((p) => p.toLowerCase())),
  )
  return (await commonPasswords).has(password.toLowerCase())
}

/**
 * NIST SP 800-63B §5.1.1.2: passwords are NFKC-normalised before hashing so the same
 * characters typed on different keyboards match. Every place that hashes or verifies a
 * password goes through this.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC')
}

/**
 * Whether a normalised password may be set, after NIST SP 800-63B §5.1.1.2: length
 * 8–256, no NUL, not a commonly used or breached password, not the username itself, and
 * no composition rules. Length is checked first, before any expensive work.
 */
export async function assertAcceptablePassword(
  password: string,
  usernameKey: string,
): Promise<void> {
  const length = [...password].length
  if (length < MIN_PASSWORD_LENGTH) {
    throw new GatehouseError(
      'invalid_password',
      `Password must be at least ${MIN_PASSWORD_LENGTH} characters long`,
    )
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw new GatehouseError(
      'invalid_password',
      `Password must be at most ${MAX_PASSWORD_LENGTH} characters long`,
    )
  }
  if (password.includes('\u0000')) {
    throw new GatehouseError('invalid_password', 'Password must not contain NUL characters')
  }
  if (await isCommon(password)) {
    throw new GatehouseError(
      'weak_password',
      'Password is too common; choose a longer phrase that others are unlikely to use',
    )
  }
  if (password.toLowerCase() === usernameKey) {
    throw new GatehouseError('weak_password', 'Password must not be the same as the username')
  }
}
