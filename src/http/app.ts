import { randomUUID } from 'node:crypto'
import Fastify, {
  type FastifyInstance,
  type FastifyServerOptions,
  type RouteOptions,
} from 'fastify'
import type { TrustProxy } from '../config/schema.js'
import type { Core } from '../core.js'
import { clientErrorHandler } from './client-errors.js'
import { errorHandler, notFoundHandler } from './error-handler.js'
import { createLoggerOptions, OneLinePerRequest } from './logger.js'
import { noSniff } from './no-sniff.js'
import { BODY_LIMIT_BYTES, gatehouse } from './plugin.js'
import type { GatehouseInstance } from './route-deps.js'
import { drainOnClose } from './drain.js'
import { instrumentRoutes } from './instrument.js'
import { healthRoutes } from './routes/health.js'
import { createMetrics, metricsRoute, UNMATCHED_ROUTE } from './metrics.js'
import { openApiRoutes, registerOpenApi } from './openapi.js'

export interface BuildAppOptions {
  /** Close the core when the app closes, after in-flight requests are done. Default false. */
  closeCore?: boolean
  core: Core
  /** Fastify logger setting; default: JSON logs at the configured level. */
  logger?: FastifyServerOptions['logger']
  /** Called with every route as it is registered (tooling, e.g. checking the OpenAPI document). */
  onRoute?: (route: RouteOptions) => void
}

/**
 * Fastify 5 treats a bare hop count as "trust nothing"; a hop count here means what
 * proxy-addr means by it: the socket peer and the next `hops - 1` addresses are proxies.
 * It suits a server only its proxies can reach (docs/operations.md).
 */
function fastifyTrustProxy(trust: TrustProxy): NonNullable<FastifyServerOptions['trustProxy']> {
  if (trust === false) return false
  if (typeof trust === 'number') return (_address: string, hop: number) => hop < trust
  return [...trust]
}

/** The standalone server's app. It never listens; `serve` (or a test) does. */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { core } = options
  // Below info no request is logged, so a per-request child logger (reqId bound) is pure
  // cost on every request; errors bind the id themselves (see error-handler.ts).
  const perRequestLoggers = ['info', 'debug', 'trace'].includes(core.config.logLevel)
  const { config } = core
  const requestTimeout = config.requestTimeout * 1000
  const app = Fastify({
    logger: options.logger ?? (await createLoggerOptions(config)),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    genReqId: () => randomUUID(),
    logController: new OneLinePerRequest(),
    ...(!perRequestLoggers && { childLoggerFactory: (logger) => logger }),
    return503OnClosing: true,
    // Slow clients: headers and body must both arrive within the request timeout. Node
    // checks open requests every `connectionsCheckingInterval`, so keep that below it.
    requestTimeout,
    keepAliveTimeout: config.keepAliveTimeout * 1000,
    http: {
      headersTimeout: requestTimeout,
      requestTimeout,
      connectionsCheckingInterval: Math.min(1000, requestTimeout),
    },
    clientErrorHandler,
  }).withTypeProvider() as unknown as GatehouseInstance
  // Beyond this many open connections new ones are closed at once, so connections alone
  // cannot exhaust the process's file descriptors.
  app.server.maxConnections = config.maxConnections
  app.addHook('onRequest', noSniff)

  if (options.onRoute) app.addHook('onRoute', options.onRoute)
  const metrics = core.config.metrics ? createMetrics(core) : undefined
  if (metrics) instrumentRoutes(app, (url) => metrics.routeObserver(url))
  if (options.closeCore) drainOnClose(app)
  app.addHook('onClose', async () => {
    metrics?.close()
    // Fastify runs this once every connection has ended: no request still needs the store.
    if (options.closeCore) await core.close()
  })
  const observeUnmatched = metrics?.routeObserver(UNMATCHED_ROUTE)
  // The routes of this context (health, metrics, docs) take no input to validate; the
  // plugin's context has the one strict validator compiler (validation.ts).
  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler((request, reply) => {
    notFoundHandler(request, reply)
    observeUnmatched?.(request.method, reply.statusCode, reply.elapsedTime)
  })
  app.removeContentTypeParser('text/plain')
  await registerOpenApi(app, config.issuer)
  await openApiRoutes(app)
  healthRoutes(app, () => core.ready())
  if (metrics) metricsRoute(app, metrics, config.metricsToken)
  await app.register(gatehouse, { core })
  if (config.ui) {
    // A person who opens the server's address lands on the pages.
    app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/ui/', 302))
  }
  return app
}
