import type { FastifyInstance } from 'fastify'

const DRAIN_TIMEOUT_MS = 10_000
const POLL_MS = 20

/**
 * Lets requests in flight finish when the app closes, then lets the process exit.
 *
 * Fastify stops accepting connections and waits for the open ones to end before it runs
 * onClose hooks (where the store is closed). But a keep-alive connection whose request
 * finishes after close began stays open, idle, until the client drops it: shutdown would
 * hang. So from preClose until the server has closed, idle connections are closed every
 * few milliseconds, which costs nothing per request; after a bounded wait, all are.
 */
export function drainOnClose(app: FastifyInstance): void {
  app.addHook('preClose', (done) => {
    const server = app.server
    const deadline = Date.now() + DRAIN_TIMEOUT_MS
    const timer = setInterval(() => {
      if (Date.now() < deadline) server.closeIdleConnections()
      else server.closeAllConnections()
    }, POLL_MS)
    server.once('close', () => clearInterval(timer))
    done()
  })
}
