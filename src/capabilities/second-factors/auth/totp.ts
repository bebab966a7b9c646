import { Secret, TOTP } from 'otpauth'

/** RFC 6238 as every authenticator app does it: HMAC-SHA-1, 6 digits, 30-second steps. */
const PERIOD_SECONDS = 30
const DIGITS = 6
/** Clock drift tolerated: one step either way (RFC 6238 §5.2 recommends at most one). */
const WINDOW = 1

export interface TotpEnrolment {
  /** Base32, as authenticator apps take it. */
  secret: string
  /** `otpauth://totp/…`, what the QR code carries. */
  uri: string
}

/** A new 160-bit secret (RFC 4226 §4 recommends it) and the URI that hands it to an app. */
export function newTotpSecret(issuer: string, account: string): TotpEnrolment {
  const secret = new Secret({ size: 20 }).base32
  return { secret, uri: totpUri(issuer, account, secret) }
}

/** The `otpauth://` URI of an existing secret. */
export function totpUri(issuer: string, account: string, secretBase32: string): string {
  const secret = Secret.fromBase32(secretBase32)
  return new TOTP({
    issuer,
    label: account,
    secret,
    digits: DIGITS,
    period: PERIOD_SECONDS,
  }).toString()
}

/**
 * The time step a code belongs to if it is right at `now` (±1 step), else null. Accepting
 * a step at most once is the caller's job (the store's compare-and-set).
 */
export function matchTotp(secretBase32: string, code: string, now: number): number | null {
  if (!/^\d{6}$/.test(code)) return null
  const delta = TOTP.validate({
    token: code,
    secret: Secret.fromBase32(secretBase32),
    digits: DIGITS,
    period: PERIOD_SECONDS,
    timestamp: now,
    window: WINDOW,
  })
  return delta === null ? null : Math.floor(now / 1000 / PERIOD_SECONDS) + delta
}
