import type { FastifyReply, FastifyRequest } from 'fastify'

/*
 * Headers are never logged: the serializers below name every field a request or response
 * line holds, so `Authorization`, `Cookie`, `X-API-Key` and `Set-Cookie` cannot reach the
 * log. (pino's `redact` option did the same for those four paths at ~2 µs a line: it parses
 * each path again on every line.)
 */

/**
 * Query parameters that carry credentials in some client or other (RFC 6750 §2.3's
 * `access_token`, OAuth's `client_secret`, `code`, reset and verification `token`s, …).
 * Compared case-insensitively.
 */
const SECRET_PARAMETERS = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'id_token_hint',
  'token',
  'code',
  'code_verifier',
  'client_secret',
  'password',
  'api_key',
  'apikey',
  'key',
  'secret',
  'mfa_token',
])

const CENSOR = '[redacted]'

/** The URL with the values of credential-bearing query parameters replaced. */
export function redactUrl(url: string): string {
  const question = url.indexOf('?')
  if (question < 0) return url
  const query = url.slice(question + 1)
  const redacted = query
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=')
      const rawName = equals < 0 ? pair : pair.slice(0, equals)
      let name: string
      try {
        name = decodeURIComponent(rawName.replaceAll('+', ' ')).toLowerCase()
      } catch {
        // Undecodable names are redacted whole: better an unreadable log than a leak.
        return CENSOR
      }
      return SECRET_PARAMETERS.has(name) && equals >= 0 ? `${rawName}=${CENSOR}` : pair
    })
    .join('&')
  return `${url.slice(0, question)}?${redacted}`
}

/** Fastify's request serializer, with the query string's secrets redacted. */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort ?? 0,
  }
}

/** Fastify's response serializer: the status only, never a header. */
export function serializeResponse(reply: Pick<FastifyReply, 'statusCode'>) {
  return { statusCode: reply.statusCode }
}
