import { JwsError } from '../tokens/jws.js'
import { ERROR_CATALOGUE, gatehouseErrorResponse, GatehouseError } from '../errors/index.js'
import { TOKEN_PREFIXES } from '../tokens/opaque-token.js'

export interface GuardErrorResponse {
  status: number
  headers: Record<string, string>
  body: Record<string, unknown>
}

/**
 * `gatehouse`: the server's own answers (RFC 6750 statuses and challenges, `{msg, error}`).
 * `flask-jwt-extended`: Flask-JWT-Extended's statuses and `{msg}` texts, for teams whose
 * clients were written against it (docs/guard.md, "Flask-JWT-Extended error mode").
 */
export type ErrorMode = 'gatehouse' | 'flask-jwt-extended'

export function toGuardErrorResponse(
  error: unknown,
  mode: ErrorMode,
  presentedToken?: string,
): GuardErrorResponse {
  const gatehouseError =
    error instanceof GatehouseError
      ? error
      : new GatehouseError('internal_error', undefined, { cause: error })
  if (mode === 'gatehouse') return gatehouseErrorResponse(gatehouseError)
  const { status, msg } = flaskEquivalent(gatehouseError, presentedToken)
  return { status, headers: {}, body: { msg } }
}

/**
 * Flask-JWT-Extended 4.x: `decode_token` errors are 422, missing and expired tokens 401.
 * The catalogue gives each code's answer; only texts that depend on the case differ.
 */
function flaskEquivalent(error: GatehouseError, token?: string): { status: number; msg: string } {
  const entry = ERROR_CATALOGUE[error.code]
  const mapped =
    entry.flask === 'as_http' ? { status: entry.status, msg: entry.message } : entry.flask
  switch (error.code) {
    // A malformed Authorization header (another scheme, no token): decode errors, 422.
    case 'missing_token':
      return error.hasCustomMessage ? { status: 422, msg: error.message } : mapped
    case 'insufficient_scope':
      return error.hasCustomMessage ? { ...mapped, msg: error.message } : mapped
    case 'invalid_token':
      return { ...mapped, msg: invalidTokenText(error.cause, token) }
    default:
      return mapped
  }
}

function invalidTokenText(cause: unknown, token?: string): string {
  if (token?.startsWith(TOKEN_PREFIXES.refreshToken)) return 'Only non-refresh tokens are allowed'
  if (!(cause instanceof JwsError)) return 'Signature verification failed'
  switch (cause.reason) {
    case 'claim':
      if (cause.claim === 'aud') return 'Invalid audience'
      if (cause.claim === 'iss') return 'Invalid issuer'
      if (cause.claim === 'nbf') return 'The token is not yet valid (iat)'
      return `Missing claim: ${cause.claim}`
    case 'alg_not_allowed':
      return 'The specified alg value is not allowed'
    case 'malformed':
      return 'Not enough segments'
    default:
      return 'Signature verification failed'
  }
}
