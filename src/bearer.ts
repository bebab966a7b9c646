import { GatehouseError } from './errors/index.js'

/** RFC 6750 §2.1 b64token; anything else in a Bearer header is not a token we issued. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

/**
 * The token of an `Authorization: Bearer` header, shared by the server and the guard so
 * both accept exactly the same headers. Throws `missing_token` without a header or with
 * another scheme, `invalid_token` for a malformed one.
 */
export function parseBearerHeader(header: string | undefined): string {
  if (header === undefined || header === '') throw new GatehouseError('missing_token')
  // The common shape, "Bearer <token>" with one space and nothing after, without running
  // the pattern over a ~600-character token on every request. Its characters are checked
  // where it is used: only verified tokens are ever found in the cache, and every
  // verifier refuses characters that are not its own.
  if (header.startsWith('Bearer ') && header.indexOf(' ', 7) === -1 && header.length > 7) {
    return header.slice(7)
  }
  const match = BEARER.exec(header)
  if (match?.[1] !== undefined) return match[1]
  if (!/^Bearer\b/i.test(header)) {
    throw new GatehouseError(
      'missing_token',
      "Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'",
    )
  }
  throw new GatehouseError('invalid_token')
}
