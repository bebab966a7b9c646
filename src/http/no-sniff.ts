import type { onRequestHookHandler } from 'fastify'

/** `X-Content-Type-Options: nosniff` on an answer, before any route or error runs. */
export const noSniff: onRequestHookHandler = (_request, reply, done) => {
  void reply.header('x-content-type-options', 'nosniff')
  done()
}
