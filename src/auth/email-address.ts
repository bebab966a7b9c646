import { fullFormats } from 'ajv-formats/dist/formats.js'
import { GatehouseError } from '../errors/index.js'

export interface NormalizedEmail {
  /** As given, NFKC-normalised and trimmed: what mail is sent to. */
  email: string
  /** Case-folded: unique among users, what lookups compare. */
  key: string
}

/** RFC 5321's path limit; longer addresses cannot receive mail. */
const MAX_EMAIL_LENGTH = 254

/** The same check as the JSON schemas' `format: "email"` (ajv-formats, full mode). */
const EMAIL_FORMAT = fullFormats.email as RegExp

/**
 * An address as Gatehouse stores and compares it. Addresses are compared
 * case-insensitively, the local part included: nobody registers `Bob@x` next to `bob@x`.
 * @throws GatehouseError `invalid_email`
 */
export function normalizeEmail(value: string): NormalizedEmail {
  const email = value.normalize('NFKC').trim()
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL_FORMAT.test(email)) {
    throw new GatehouseError('invalid_email')
  }
  return { email, key: email.toLowerCase() }
}
