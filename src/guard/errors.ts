import { JwsError } from '../tokens/jws.js'
import { gatehouseErrorResponse } from '../error-responses.js'
import { GatehouseError } from '../errors.js'
import { SEED_MESSAGES } from '../messages.js'
import { TOKEN_PREFIXES } from '../tokens/opaque-token.js'

export interface GuardErrorResponse {
  status: number
  headers: Record<string, string>
  body: Record<string, unknown>
}

/**
 * `gatehouse`: the server's own answers (RFC 6750 statuses and challenges, `{msg, error}`).
 * `flask-jwt-extended`: Flask-JWT-Extended's statuses and `{msg}` texts, for teams whose
 * clients were written against it (docs in README, "Flask-JWT-Extended error mode").
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

/** Flask-JWT-Extended 4.x: `decode_token` errors are 422, missing and expired tokens 401. */
function flaskEquivalent(error: GatehouseError, token?: string): { status: number; msg: string } {
  switch (error.code) {
    case 'missing_token':
      return error.hasCustomMessage
        ? { status: 422, msg: error.message }
        : { status: 401, msg: SEED_MESSAGES.missingAuthorization }
    case 'token_expired':
      return { status: 401, msg: SEED_MESSAGES.tokenExpired }
    case 'token_revoked':
      return { status: 401, msg: SEED_MESSAGES.tokenRevoked }
    case 'fresh_token_required':
      return { status: 401, msg: 'Fresh token required' }
    case 'insufficient_scope':
      return {
        status: 403,
        msg: error.hasCustomMessage ? error.message : 'Insufficient permissions',
      }
    case 'invalid_token':
      return { status: 422, msg: invalidTokenText(error.cause, token) }
    default:
      return { status: 500, msg: 'Internal server error' }
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
