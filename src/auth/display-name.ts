import { GatehouseError } from '../errors/index.js'

const DISPLAY_NAME = /^[^\p{Cc}\p{Cf}]{1,128}$/u

/** A label a person gives a key or client: NFKC, trimmed, 1–128 visible characters. */
export function normalizeDisplayName(input: string): string {
  const name = input.normalize('NFKC').trim()
  if (!DISPLAY_NAME.test(name)) {
    throw new GatehouseError(
      'invalid_request',
      'name must be 1–128 characters without control characters',
    )
  }
  return name
}
