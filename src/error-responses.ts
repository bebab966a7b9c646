import { SEED_MESSAGES } from './messages.js'
import { RateLimitedError, type ErrorCode, type GatehouseError } from './errors.js'

/**
 * The one mapping from error code to HTTP status, RFC 6750 challenge and default text,
 * shared by the server (src/http) and the guard (src/guard) so both answer alike.
 */
export const REALM = 'gatehouse'

export interface ErrorMapping {
  status: number
  message: string
  /** RFC 6750 §3 challenge; every 401 carries one (RFC 9110 §15.5.2). */
  challenge?: string
}

const bearer = (error?: string, description?: string): string =>
  `Bearer realm="${REALM}"` +
  (error ? `, error="${error}"` : '') +
  (description ? `, error_description="${description}"` : '')

/** The one mapping from error code to status, challenge and default text. */
export const ERRORS: Record<ErrorCode, ErrorMapping> = {
  invalid_request: { status: 400, message: 'Invalid request' },
  invalid_username: { status: 400, message: 'Invalid username' },
  invalid_password: { status: 400, message: 'Invalid password' },
  weak_password: { status: 400, message: 'Password is too weak' },
  username_taken: { status: 400, message: SEED_MESSAGES.usernameTaken },
  invalid_credentials: {
    status: 401,
    message: SEED_MESSAGES.badCredentials,
    challenge: bearer(),
  },
  user_disabled: { status: 403, message: 'This account has been disabled' },
  missing_token: {
    status: 401,
    message: SEED_MESSAGES.missingAuthorization,
    // RFC 6750 §3.1: no error attribute when the request carried no credentials.
    challenge: bearer(),
  },
  invalid_token: {
    status: 401,
    message: 'Invalid token',
    challenge: bearer('invalid_token', 'The access token is invalid'),
  },
  token_expired: {
    status: 401,
    message: SEED_MESSAGES.tokenExpired,
    challenge: bearer('invalid_token', 'The access token expired'),
  },
  token_revoked: {
    status: 401,
    message: SEED_MESSAGES.tokenRevoked,
    challenge: bearer('invalid_token', 'The access token has been revoked'),
  },
  insufficient_scope: {
    status: 403,
    message: 'Insufficient permissions',
    challenge: bearer('insufficient_scope'),
  },
  fresh_token_required: {
    status: 401,
    message: 'Fresh token required: log in again with your password',
    // RFC 9470 (step-up authentication): the token is valid but too old an authentication.
    challenge: bearer('insufficient_user_authentication', 'A fresh login is required'),
  },
  invalid_refresh_token: {
    status: 401,
    message: 'Invalid refresh token',
    challenge: bearer(),
  },
  refresh_token_expired: {
    status: 401,
    message: 'Refresh token has expired; log in again',
    challenge: bearer(),
  },
  refresh_token_reused: {
    status: 401,
    message: 'Refresh token was already used; the session has been ended for safety',
    challenge: bearer(),
  },
  incorrect_password: { status: 403, message: 'Current password is incorrect' },
  csrf_failed: {
    status: 403,
    message: 'Missing or invalid CSRF token: send the csrf cookie value in the X-CSRF-Token header',
  },
  invalid_scope: { status: 400, message: 'The requested scope is not allowed' },
  invalid_client: {
    status: 401,
    message: 'Client authentication failed',
    challenge: `Basic realm="${REALM}"`,
  },
  invalid_grant: { status: 400, message: 'The grant is invalid, expired or revoked' },
  unsupported_grant_type: { status: 400, message: 'Unsupported grant_type' },
  unauthorized_client: {
    status: 400,
    message: 'The token was issued to another client',
  },
  rate_limited: { status: 429, message: 'Too many requests' },
  not_found: { status: 404, message: 'Not found' },
  payload_too_large: { status: 413, message: 'Request body is too large' },
  request_timeout: {
    status: 408,
    message: 'The request took too long to arrive; the connection is closed',
  },
  headers_too_large: { status: 431, message: 'Request headers are too large' },
  unsupported_media_type: {
    status: 415,
    message: 'Unsupported Content-Type; send application/json',
  },
  service_unavailable: { status: 503, message: 'Service unavailable' },
  internal_error: { status: 500, message: 'Internal server error' },
}

export interface ErrorResponse {
  status: number
  headers: Record<string, string>
  body: { msg: string; error: ErrorCode; details?: unknown }
}

/** The response for a Gatehouse error. */
export function gatehouseErrorResponse(error: GatehouseError): ErrorResponse {
  const mapping = ERRORS[error.code]
  const headers: Record<string, string> = {}
  if (mapping.challenge) headers['www-authenticate'] = mapping.challenge
  if (error instanceof RateLimitedError) headers['retry-after'] = String(error.retryAfter)
  const body: ErrorResponse['body'] = {
    msg: error.hasCustomMessage ? error.message : mapping.message,
    error: error.code,
  }
  const details = (error as { details?: unknown }).details
  if (details !== undefined) body.details = details
  return { status: mapping.status, headers, body }
}
