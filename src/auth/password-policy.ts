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
 * 8–256, no NUL, not a commonly used or breached password, not one character repeated or
 * a simple sequence (§5.1.1.2 names "repetitive or sequential characters"), not the
 * username itself, and no composition rules. Length is checked first, before any expensive work.
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
  if (isRepetitiveOrSequential(password) || (await isCommon(password))) {
    throw new GatehouseError(
      'weak_password',
      'Password is too common; choose a longer phrase that others are unlikely to use',
    )
  }
  if (password.toLowerCase() === usernameKey) {
    throw new GatehouseError('weak_password', 'Password must not be the same as the username')
  }
}

/**
 * One character over and over (`aaaaaaaa`), or each character one step up or down from the
 * one before (`abcdefgh`, `98765432`, `34567890` with 9 → 0), case aside.
 */
export function isRepetitiveOrSequential(password: string): boolean {
  const points = [...password.toLowerCase()].map((c) => c.codePointAt(0)!)
  const step = (from: number, to: number): number => {
    // Digits wrap around as on a keyboard's number row: 8 9 0 and 1 0 9.
    if (from === 0x39 && to === 0x30) return 1
    if (from === 0x30 && to === 0x39) return -1
    return to - from
  }
  const first = step(points[0]!, points[1]!)
  if (first !== 0 && first !== 1 && first !== -1) return false
  for (let i = 2; i < points.length; i++) {
    if (step(points[i - 1]!, points[i]!) !== first) return false
  }
  return true
}
