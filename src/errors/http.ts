import { ERROR_CATALOGUE } from './catalogue.js'
import { RateLimitedError, type ErrorCode, type GatehouseError } from './codes.js'

export interface ErrorResponse {
  status: number
  headers: Record<string, string>
  body: { msg: string; error: ErrorCode; details?: unknown; [field: string]: unknown }
}

/**
 * The JSON API's answer to a Gatehouse error, shared by the server (src/http) and the
 * guard (src/guard) so both answer alike.
 */
export function gatehouseErrorResponse(error: GatehouseError): ErrorResponse {
  const entry = ERROR_CATALOGUE[error.code]
  const headers: Record<string, string> = {}
  if (entry.challenge) headers['www-authenticate'] = entry.challenge
  if (error instanceof RateLimitedError) headers['retry-after'] = String(error.retryAfter)
  const body: ErrorResponse['body'] = {
    ...error.fields,
    msg: error.hasCustomMessage ? error.message : entry.message,
    error: error.code,
  }
  if (error.details !== undefined) body.details = error.details
  return { status: entry.status, headers, body }
}

/** The default human text of a code, e.g. for the command line. */
export const defaultMessage = (code: ErrorCode): string => ERROR_CATALOGUE[code].message
