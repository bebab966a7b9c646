import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { GatehouseError, type ErrorCode } from '../errors.js'
import { SEED_MESSAGES } from './messages.js'

export const REALM = 'gatehouse'

interface ErrorMapping {
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
const ERRORS: Record<ErrorCode, ErrorMapping> = {
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
  not_found: { status: 404, message: 'Not found' },
  payload_too_large: { status: 413, message: 'Request body is too large' },
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

/** Turns anything thrown while handling a request into the response a client sees. */
export function toErrorResponse(error: unknown): ErrorResponse {
  const gatehouseError = error instanceof GatehouseError ? error : fromFastifyError(error)
  const mapping = ERRORS[gatehouseError.code]
  const headers: Record<string, string> = {}
  if (mapping.challenge) headers['www-authenticate'] = mapping.challenge
  const body: ErrorResponse['body'] = {
    msg: gatehouseError.hasCustomMessage ? gatehouseError.message : mapping.message,
    error: gatehouseError.code,
  }
  const details = (gatehouseError as { details?: unknown }).details
  if (details !== undefined) body.details = details
  return { status: mapping.status, headers, body }
}

/** Sends an error; used by the error handler and by guards on routes we do not own. */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  const response = toErrorResponse(error)
  if (response.status >= 500) {
    request.log.error({ err: error }, 'request failed')
  } else if (error instanceof GatehouseError && error.cause !== undefined) {
    request.log.debug({ code: error.code, cause: describeCause(error.cause) }, 'request refused')
  }
  void reply.code(response.status).headers(response.headers).send(response.body)
}

export function errorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  sendError(request, reply, error)
}

/** A 404 in the same shape as every other error. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  sendError(
    request,
    reply,
    new GatehouseError(
      'not_found',
      `Route ${request.method} ${request.url.split('?')[0] ?? ''} not found`,
    ),
  )
}

class ValidationError extends GatehouseError {
  constructor(
    message: string,
    readonly details: unknown,
  ) {
    super('invalid_request', message)
  }
}

interface AjvIssue {
  keyword: string
  instancePath: string
  message?: string
  params: Record<string, unknown>
}

function fromFastifyError(error: unknown): GatehouseError {
  const fastifyError = error as Partial<FastifyError> & { validation?: AjvIssue[] }
  if (Array.isArray(fastifyError.validation)) {
    const part = fastifyError.validationContext ?? 'body'
    const issues = fastifyError.validation.map((issue) => describeIssue(part, issue))
    return new ValidationError(issues[0] ?? 'Invalid request', issues)
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatehouseError('payload_too_large')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new GatehouseError('unsupported_media_type')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new GatehouseError('invalid_request', 'Request body is empty; send a JSON object')
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new GatehouseError('invalid_request', 'Request body is not valid JSON')
  }
  const status = fastifyError.statusCode
  if (status === 404) return new GatehouseError('not_found')
  if (status === 413) return new GatehouseError('payload_too_large')
  if (status === 415) return new GatehouseError('unsupported_media_type')
  if (status !== undefined && status >= 400 && status < 500) {
    // Fastify's own client errors (bad JSON, prototype poisoning, bad URL): the text is
    // Fastify's and carries no secrets, but keep it short.
    return new GatehouseError('invalid_request', 'Malformed request', { cause: error })
  }
  return new GatehouseError('internal_error', undefined, { cause: error })
}

function describeIssue(part: string, issue: AjvIssue): string {
  const field = issue.instancePath.replace(/^\//, '').replaceAll('/', '.')
  const where = field ? `'${field}'` : part === 'body' ? 'the request body' : part
  switch (issue.keyword) {
    case 'required':
      return `Missing field '${[field, String(issue.params['missingProperty'])].filter(Boolean).join('.')}'`
    case 'additionalProperties':
      return `Unknown field '${[field, String(issue.params['additionalProperty'])].filter(Boolean).join('.')}'`
    case 'type':
      return field
        ? `Field ${where} must be of type ${String(issue.params['type'])}`
        : `The ${part === 'body' ? 'request body' : part} must be a JSON ${String(issue.params['type'])}`
    default:
      return `${field ? `Field ${where}` : where} ${issue.message ?? 'is invalid'}`
  }
}

function describeCause(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
}

/** RFC 6749 §5.2 codes for errors raised behind /oauth/*. Everything else is invalid_request. */
const OAUTH_CODES: Partial<Record<ErrorCode, string>> = {
  invalid_client: 'invalid_client',
  invalid_grant: 'invalid_grant',
  invalid_scope: 'invalid_scope',
  unsupported_grant_type: 'unsupported_grant_type',
  unauthorized_client: 'unauthorized_client',
  // A refresh token that cannot be used is, in OAuth terms, an invalid grant.
  invalid_refresh_token: 'invalid_grant',
  refresh_token_expired: 'invalid_grant',
  refresh_token_reused: 'invalid_grant',
  user_disabled: 'invalid_grant',
  internal_error: 'server_error',
  service_unavailable: 'temporarily_unavailable',
}

const OAUTH_STATUS: Record<string, number> = {
  invalid_client: 401,
  server_error: 500,
  temporarily_unavailable: 503,
}

/** The OAuth endpoints' funnel: same mapping, RFC 6749 §5.2 body `{error, error_description}`. */
export function oauthErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const response = toErrorResponse(error)
  if (response.status >= 500) request.log.error({ err: error }, 'request failed')
  const code = OAUTH_CODES[response.body.error] ?? 'invalid_request'
  const status = response.status === 413 ? 413 : (OAUTH_STATUS[code] ?? 400)
  void reply
    .code(status)
    .headers({ ...response.headers, 'cache-control': 'no-store', pragma: 'no-cache' })
    .send({ error: code, error_description: response.body.msg })
}
