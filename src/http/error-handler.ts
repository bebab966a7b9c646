import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { GatehouseError, type ErrorCode } from '../errors.js'
import { ERRORS, gatehouseErrorResponse, type ErrorResponse } from '../error-responses.js'

/** Turns anything thrown while handling a request into the response a client sees. */
export function toErrorResponse(error: unknown): ErrorResponse {
  return gatehouseErrorResponse(error instanceof GatehouseError ? error : fromFastifyError(error))
}

/** Sends an error; used by the error handler and by guards on routes we do not own. */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  const response = toErrorResponse(error)
  if (response.status >= 500) {
    logOf(request).error({ err: error }, 'request failed')
  } else if (error instanceof GatehouseError && error.cause !== undefined) {
    logOf(request).debug({ code: error.code, cause: describeCause(error.cause) }, 'request refused')
  }
  void reply.code(response.status).headers(response.headers).send(response.body)
}

/**
 * The request's logger with its id bound. The standalone server skips per-request child
 * loggers when requests are not logged; the rare error line binds the id here instead.
 */
function logOf(request: FastifyRequest): FastifyBaseLogger {
  const log = request.log as FastifyBaseLogger & { bindings?: () => Record<string, unknown> }
  return log.bindings?.()['reqId'] === undefined ? log.child({ reqId: request.id }) : log
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
  // Not in RFC 6749's list; §5.2 allows extension codes, and 429 says the rest.
  rate_limited: 'slow_down',
  service_unavailable: 'temporarily_unavailable',
}

const OAUTH_STATUS: Record<string, number> = {
  invalid_client: 401,
  slow_down: 429,
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
  const status = PASSED_THROUGH_STATUS.has(response.status)
    ? response.status
    : (OAUTH_STATUS[code] ?? 400)
  // RFC 6749 §5.2: only invalid_client carries a challenge, and it names the client
  // authentication scheme. A Bearer challenge on invalid_grant makes OAuth libraries
  // report an authentication problem instead of "sign the user in again".
  const headers: Record<string, string> = { 'cache-control': 'no-store', pragma: 'no-cache' }
  if (code === 'invalid_client') headers['www-authenticate'] = ERRORS.invalid_client.challenge ?? ''
  const retryAfter = response.headers['retry-after']
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter
  const description =
    response.body.error === 'unsupported_media_type'
      ? 'Unsupported Content-Type; send application/x-www-form-urlencoded'
      : response.body.msg
  void reply.code(status).headers(headers).send({ error: code, error_description: description })
}

/** Statuses that say more than the OAuth code does, kept as they are. */
const PASSED_THROUGH_STATUS = new Set([408, 413, 415, 431])
