import type { FastifyInstance, onResponseHookHandler, RouteOptions } from 'fastify'
import type { RouteObserver } from './metrics.js'

/**
 * Records every route's answered requests in the metrics: one hook per route, added as the
 * route is registered, so it knows its route without a per-request lookup of the route's
 * options (a getter that builds an object each time).
 */
export function instrumentRoutes(
  app: FastifyInstance,
  observe: (url: string) => RouteObserver,
): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const observer = observe(route.url)
    const end: onResponseHookHandler = (request, reply, next) => {
      observer(request.method, reply.statusCode, reply.elapsedTime)
      next()
    }
    route.onResponse = [...list(route.onResponse), end]
  })
}

function list<T>(hooks: T | T[] | undefined): T[] {
  return hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]
}
