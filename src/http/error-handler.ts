import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import {
  GatehouseError,
  gatehouseErrorResponse,
  oauthErrorResponse,
  type ErrorResponse,
} from '../errors/index.js'

/** Anything thrown while handling a request, as the Gatehouse error it means. */
function toGatehouseError(error: unknown): GatehouseError {
  return error instanceof GatehouseError ? error : fromFastifyError(error)
}

/** Turns anything thrown while handling a request into the response a client sees. */
export function toErrorResponse(error: unknown): ErrorResponse {
  return gatehouseErrorResponse(toGatehouseError(error))
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
    return new GatehouseError('invalid_request', issues[0] ?? 'Invalid request', {
      details: issues,
    })
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

/** The OAuth endpoints' funnel: the same errors, in RFC 6749 §5.2 shape (errors/oauth.ts). */
export function oauthErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const gatehouseError = toGatehouseError(error)
  const response = oauthErrorResponse(
    gatehouseError,
    // The endpoints take forms; the JSON API's text would ask for JSON.
    gatehouseError.code === 'unsupported_media_type'
      ? 'Unsupported Content-Type; send application/x-www-form-urlencoded'
      : undefined,
  )
  if (response.status >= 500) request.log.error({ err: error }, 'request failed')
  void reply.code(response.status).headers(response.headers).send(response.body)
}

/**
 * The userinfo endpoint's errors (OIDC Core §5.3.3, RFC 6750 §3): the JSON API's status
 * and Bearer challenge, with an RFC 6749-shaped body like every `/oauth/*` answer.
 */
export function userinfoErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const response = toErrorResponse(error)
  if (response.status >= 500) request.log.error({ err: error }, 'request failed')
  const challenge = response.headers['www-authenticate'] ?? ''
  const rfc6750 = /error="([a-z_]+)"/.exec(challenge)?.[1] ?? 'invalid_request'
  void reply
    .code(response.status)
    .headers({ ...response.headers, 'cache-control': 'no-store' })
    .send({ error: rfc6750, error_description: response.body.msg })
}
