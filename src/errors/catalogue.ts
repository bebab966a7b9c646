import type { ErrorCode } from './codes.js'
import { SEED_MESSAGES } from './seed-messages.js'

export const REALM = 'gatehouse'

/** RFC 6749 §5.2 error codes (with the extensions RFC 8628 and RFC 6749 §4.1.2.1 name). */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'slow_down'
  | 'server_error'
  | 'temporarily_unavailable'

export interface ErrorEntry {
  /** HTTP status of the JSON API's `{"msg","error"}` answer. */
  status: number
  /** Default `msg`. */
  message: string
  /** RFC 6750 §3 challenge; every 401 carries one (RFC 9110 §15.5.2). */
  challenge?: string
  /** The same error behind `/oauth/*`: RFC 6749 §5.2 `error` and its status. */
  oauth: { error: OAuthErrorCode; status: number }
  /**
   * Flask-JWT-Extended error mode of the guard: its status and `msg`, or `as_http` where
   * that library has no equivalent of its own.
   */
  flask: { status: number; msg: string } | 'as_http'
  /** One line for docs/errors.md. */
  meaning: string
}

const bearer = (error?: string, description?: string): string =>
  `Bearer realm="${REALM}"` +
  (error ? `, error="${error}"` : '') +
  (description ? `, error_description="${description}"` : '')

const oauth = (error: OAuthErrorCode, status = 400) => ({ error, status })
const badRequest = oauth('invalid_request')

/**
 * The one table of error codes. A `Record` over the union: a code added to ERROR_CODES
 * without its row fails type-checking, and every row must decide each mapping.
 */
export const ERROR_CATALOGUE: Record<ErrorCode, ErrorEntry> = {
  invalid_request: {
    status: 400,
    message: 'Invalid request',
    oauth: badRequest,
    flask: 'as_http',
    meaning:
      'The request is malformed: a missing, unknown or mistyped field, bad JSON, a bad cursor.',
  },
  invalid_username: {
    status: 400,
    message: 'Invalid username',
    oauth: badRequest,
    flask: 'as_http',
    meaning: 'The username breaks the rules (3–64 letters, digits and `._-@`, one script).',
  },
  invalid_password: {
    status: 400,
    message: 'Invalid password',
    oauth: badRequest,
    flask: 'as_http',
    meaning: 'The password breaks the rules (8–256 characters after NFKC, no NUL).',
  },
  weak_password: {
    status: 400,
    message: 'Password is too weak',
    oauth: badRequest,
    flask: 'as_http',
    meaning: 'The password is a common one or equals the username.',
  },
  username_taken: {
    status: 400,
    message: SEED_MESSAGES.usernameTaken,
    oauth: badRequest,
    flask: 'as_http',
    meaning: 'Another user has this username (compared case-insensitively).',
  },
  invalid_email: {
    status: 400,
    message: 'Invalid email address',
    oauth: badRequest,
    flask: 'as_http',
    meaning: 'The email address is malformed or longer than 254 characters.',
  },
  email_taken: {
    status: 400,
    message: 'Email address already in use',
    oauth: badRequest,
    flask: 'as_http',
    meaning:
      'An admin vouched for an address another user holds verified. Sign-up and changes of address never say so: a taken address is answered like a free one.',
  },
  invalid_email_token: {
    status: 400,
    message: 'This link is invalid, expired or already used',
    oauth: badRequest,
    flask: 'as_http',
    meaning:
      'An email token that is unknown, expired, spent, superseded by a newer one, or for an address the user no longer has.',
  },
  invalid_credentials: {
    status: 401,
    message: SEED_MESSAGES.badCredentials,
    challenge: bearer(),
    oauth: oauth('invalid_grant'),
    flask: 'as_http',
    meaning: 'Unknown username or wrong password: one answer for both.',
  },
  mfa_required: {
    status: 401,
    message: 'A second factor is required',
    // RFC 9470: the token is valid, but its login did not pass a second factor.
    challenge: bearer('insufficient_user_authentication', 'A second factor is required'),
    oauth: badRequest,
    flask: 'as_http',
    meaning:
      'At /login: the password was right; finish with POST /login/mfa and the mfa_token. Elsewhere: sign in with the second factor first (step-up).',
  },
  invalid_mfa_code: {
    status: 401,
    message: 'Invalid code',
    challenge: bearer(),
    oauth: oauth('invalid_grant'),
    flask: 'as_http',
    meaning: 'A wrong, reused or malformed TOTP or recovery code.',
  },
  invalid_mfa_token: {
    status: 401,
    message: 'This sign-in expired or is finished; sign in again with your password',
    challenge: bearer(),
    oauth: oauth('invalid_grant'),
    flask: 'as_http',
    meaning: 'The mfa_token is unknown, used, older than 5 minutes, or dead after 5 wrong codes.',
  },
  invalid_passkey: {
    // A refused credential is 401 on every sign-in route, as a wrong password is.
    status: 401,
    message: 'The passkey was refused',
    challenge: bearer(),
    oauth: oauth('invalid_grant'),
    flask: 'as_http',
    meaning:
      'A sign-in passkey answer that does not verify: another origin or RP ID, a bad signature, an unknown credential, another challenge, or no user verification where it is required.',
  },
  invalid_passkey_registration: {
    status: 400,
    message: 'The passkey could not be added',
    oauth: badRequest,
    flask: 'as_http',
    meaning:
      'A new passkey whose answer does not verify (another origin or RP ID, a bad attestation), or one registered already.',
  },
  passkey_flow_expired: {
    status: 400,
    message: 'This passkey request expired or was already used; start again',
    oauth: badRequest,
    flask: 'as_http',
    meaning:
      'A passkey ceremony (flow_id) that is unknown, spent, older than 5 minutes, or for another purpose or user.',
  },
  user_disabled: {
    status: 403,
    message: 'This account has been disabled',
    oauth: oauth('invalid_grant'),
    flask: 'as_http',
    meaning: 'The right password of a disabled account, or a refresh of its session.',
  },
  email_not_verified: {
    status: 403,
    message: 'Confirm your email address first: follow the link in the mail we sent',
    oauth: oauth('invalid_grant'),
    flask: 'as_http',
    meaning:
      'With GATEHOUSE_EMAIL_VERIFICATION=required: the right password of a user whose address is not verified.',
  },
  missing_token: {
    status: 401,
    message: SEED_MESSAGES.missingAuthorization,
    // RFC 6750 §3.1: no error attribute when the request carried no credentials.
    challenge: bearer(),
    oauth: badRequest,
    flask: { status: 401, msg: SEED_MESSAGES.missingAuthorization },
    meaning: 'No access token or API key was sent, or the Authorization header is malformed.',
  },
  invalid_token: {
    status: 401,
    message: 'Invalid token',
    challenge: bearer('invalid_token', 'The access token is invalid'),
    oauth: badRequest,
    flask: { status: 422, msg: 'Signature verification failed' },
    meaning: 'Not a token of this server: signature, `alg`, `kid`, `typ`, `iss`, `aud` or shape.',
  },
  token_expired: {
    status: 401,
    message: SEED_MESSAGES.tokenExpired,
    challenge: bearer('invalid_token', 'The access token expired'),
    oauth: badRequest,
    flask: { status: 401, msg: SEED_MESSAGES.tokenExpired },
    meaning: 'The access token (or API key) is past its `exp`.',
  },
  token_revoked: {
    status: 401,
    message: SEED_MESSAGES.tokenRevoked,
    challenge: bearer('invalid_token', 'The access token has been revoked'),
    oauth: badRequest,
    flask: { status: 401, msg: SEED_MESSAGES.tokenRevoked },
    meaning: 'The token was revoked: logout, password change, role change, disabled user.',
  },
  insufficient_scope: {
    status: 403,
    message: 'Insufficient permissions',
    challenge: bearer('insufficient_scope'),
    oauth: badRequest,
    flask: { status: 403, msg: 'Insufficient permissions' },
    meaning: 'A valid token without the role or scope the route needs, or of the wrong kind.',
  },
  fresh_token_required: {
    status: 401,
    message: 'Fresh token required: log in again with your password',
    // RFC 9470 (step-up authentication): the token is valid but too old an authentication.
    challenge: bearer('insufficient_user_authentication', 'A fresh login is required'),
    oauth: badRequest,
    flask: { status: 401, msg: 'Fresh token required' },
    meaning: 'The action needs a token from a password login, not from a refresh.',
  },
  invalid_refresh_token: {
    status: 401,
    message: 'Invalid refresh token',
    challenge: bearer(),
    oauth: oauth('invalid_grant'),
    flask: 'as_http',
    meaning: 'Not a refresh token of this server, or its session has ended.',
  },
  refresh_token_expired: {
    status: 401,
    message: 'Refresh token has expired; log in again',
    challenge: bearer(),
    oauth: oauth('invalid_grant'),
    flask: 'as_http',
    meaning: 'The refresh token or its session is past its lifetime.',
  },
  refresh_token_reused: {
    status: 401,
    message: 'Refresh token was already used; the session has been ended for safety',
    challenge: bearer(),
    oauth: oauth('invalid_grant'),
    flask: 'as_http',
    meaning: 'A spent refresh token came back after the reuse window: the session is revoked.',
  },
  incorrect_password: {
    status: 403,
    message: 'Current password is incorrect',
    oauth: badRequest,
    flask: 'as_http',
    meaning: 'The current password given to change it is wrong.',
  },
  password_unchanged: {
    status: 400,
    message: 'The new password must differ from the current one',
    oauth: badRequest,
    flask: 'as_http',
    meaning: 'A password change whose new password is the current one.',
  },
  csrf_failed: {
    status: 403,
    message: 'Missing or invalid CSRF token: send the csrf cookie value in the X-CSRF-Token header',
    oauth: badRequest,
    flask: 'as_http',
    meaning: 'A cookie-authenticated change without the matching `X-CSRF-Token`.',
  },
  invalid_scope: {
    status: 400,
    message: 'The requested scope is not allowed',
    oauth: oauth('invalid_scope'),
    flask: 'as_http',
    meaning: 'A scope the client or user may not have.',
  },
  invalid_client: {
    status: 401,
    message: 'Client authentication failed',
    challenge: `Basic realm="${REALM}"`,
    oauth: oauth('invalid_client', 401),
    flask: 'as_http',
    meaning: 'Unknown client, wrong secret, or no client authentication where it is needed.',
  },
  invalid_grant: {
    status: 400,
    message: 'The grant is invalid, expired or revoked',
    oauth: oauth('invalid_grant'),
    flask: 'as_http',
    meaning: 'The grant (e.g. a refresh token) is invalid, expired or revoked.',
  },
  unsupported_grant_type: {
    status: 400,
    message: 'Unsupported grant_type',
    oauth: oauth('unsupported_grant_type'),
    flask: 'as_http',
    meaning: 'A `grant_type` this server does not offer.',
  },
  unauthorized_client: {
    status: 400,
    message: 'The token was issued to another client',
    oauth: oauth('unauthorized_client'),
    flask: 'as_http',
    meaning: 'The client may not do this: revoke a token not issued to it, introspect unallowed.',
  },
  rate_limited: {
    status: 429,
    message: 'Too many requests',
    // Not in RFC 6749's list; §5.2 allows extension codes, and 429 says the rest.
    oauth: oauth('slow_down', 429),
    flask: 'as_http',
    meaning: 'Too many requests from this address, or failed logins for this username.',
  },
  not_found: {
    status: 404,
    message: 'Not found',
    oauth: badRequest,
    flask: 'as_http',
    meaning: 'No such route, or no such resource of yours.',
  },
  payload_too_large: {
    status: 413,
    message: 'Request body is too large',
    oauth: oauth('invalid_request', 413),
    flask: 'as_http',
    meaning: 'The body is over 16 KiB.',
  },
  request_timeout: {
    status: 408,
    message: 'The request took too long to arrive; the connection is closed',
    oauth: oauth('invalid_request', 408),
    flask: 'as_http',
    meaning: 'Headers and body did not arrive within `GATEHOUSE_REQUEST_TIMEOUT`.',
  },
  headers_too_large: {
    status: 431,
    message: 'Request headers are too large',
    oauth: oauth('invalid_request', 431),
    flask: 'as_http',
    meaning: 'The request headers are over the HTTP parser’s limit.',
  },
  unsupported_media_type: {
    status: 415,
    message: 'Unsupported Content-Type; send application/json',
    oauth: oauth('invalid_request', 415),
    flask: 'as_http',
    meaning: 'A body that is not JSON (not a form, behind `/oauth/*`).',
  },
  service_unavailable: {
    status: 503,
    message: 'Service unavailable',
    oauth: oauth('temporarily_unavailable', 503),
    flask: 'as_http',
    meaning: 'The database (or Redis, for `/readyz`) does not answer.',
  },
  internal_error: {
    status: 500,
    message: 'Internal server error',
    oauth: oauth('server_error', 500),
    flask: 'as_http',
    meaning: 'A bug: the log has the cause. Never a consequence of input.',
  },
}
