import type { FastifyInstance } from 'fastify'

const DRAIN_TIMEOUT_MS = 10_000

/**
 * Counts requests in flight so that closing waits for them before the store is closed:
 * Fastify's onClose hooks can run while a slow request (a login hashing its password) is
 * still using the database. Returns a function that resolves once none are left (or after
 * a bounded wait).
 */
export function trackInFlight(app: FastifyInstance): () => Promise<void> {
  let inFlight = 0
  let waiters: (() => void)[] = []
  const done = new WeakSet<object>()
  const finish = (request: object) => {
    if (done.has(request)) return
    done.add(request)
    if (--inFlight === 0) {
      for (const wake of waiters) wake()
      waiters = []
    }
  }
  app.addHook('onRequest', (_request, _reply, next) => {
    inFlight++
    next()
  })
  app.addHook('onResponse', (request, _reply, next) => {
    finish(request)
    next()
  })
  app.addHook('onRequestAbort', (request, next) => {
    finish(request)
    next()
  })
  // Once closing, answers end their keep-alive connection: a socket busy when close began
  // would otherwise stay open, idle, and keep the process alive.
  let closing = false
  app.addHook('preClose', (next) => {
    closing = true
    next()
  })
  app.addHook('onSend', (_request, reply, payload, next) => {
    if (closing) void reply.header('connection', 'close')
    next(null, payload)
  })
  return async () => {
    if (inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, DRAIN_TIMEOUT_MS)
        waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    app.server.closeIdleConnections()
  }
}
