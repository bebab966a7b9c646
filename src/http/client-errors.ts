import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyServerOptions } from 'fastify'
import { ERROR_CATALOGUE, type ErrorCode } from '../errors/index.js'

type ClientErrorHandler = NonNullable<FastifyServerOptions['clientErrorHandler']>

/** What Node's HTTP parser reports, in our error codes. */
function codeOf(error: NodeJS.ErrnoException): ErrorCode {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout'
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large'
  return 'invalid_request'
}

const MALFORMED = 'Malformed HTTP request'

/**
 * Errors raised before a request reaches Fastify (a timeout, headers too large, a request
 * the parser refuses such as a duplicate Content-Length) answered in the `{msg, error}`
 * shape of every other error, then the connection is closed: the parser's state is
 * unknown, and a slow client is cut off.
 */
export const clientErrorHandler: ClientErrorHandler = function (error, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const code = codeOf(error)
  const mapping = ERROR_CATALOGUE[code]
  const body = JSON.stringify({
    msg: code === 'invalid_request' ? MALFORMED : mapping.message,
    error: code,
  })
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${mapping.status} ${STATUS_CODES[mapping.status] ?? ''}\r\n` +
        'content-type: application/json; charset=utf-8\r\n' +
        'x-content-type-options: nosniff\r\n' +
        'cache-control: no-store\r\n' +
        'connection: close\r\n' +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
  }
  socket.destroy()
}
