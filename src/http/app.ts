import { randomUUID } from 'node:crypto'
import Fastify, {
  type FastifyInstance,
  type FastifyServerOptions,
  type RouteOptions,
} from 'fastify'
import type { Core } from '../core.js'
import { errorHandler, notFoundHandler } from './error-handler.js'
import { BODY_LIMIT_BYTES, gatehouse } from './plugin.js'
import type { GatehouseInstance } from './routes/context.js'
import { drainOnClose } from './drain.js'
import { instrumentRoutes } from './instrument.js'
import { healthRoutes } from './routes/health.js'
import { createMetrics, metricsRoute, UNMATCHED_ROUTE } from './metrics.js'
import { openApiRoutes, registerOpenApi } from './openapi.js'
import { createValidatorCompiler } from './validation.js'

export interface BuildAppOptions {
  /** Close the core when the app closes, after in-flight requests are done. Default false. */
  closeCore?: boolean
  core: Core
  /** Fastify logger setting; default: JSON logs at the configured level. */
  logger?: FastifyServerOptions['logger']
  /** Called with every route as it is registered (tooling, e.g. checking the OpenAPI document). */
  onRoute?: (route: RouteOptions) => void
}

/** Never logged, even if a serializer starts including headers. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
]

/** The standalone server's app. It never listens; `serve` (or a test) does. */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { core } = options
  // Below info no request is logged, so a per-request child logger (reqId bound) is pure
  // cost on every request; errors bind the id themselves (see error-handler.ts).
  const perRequestLoggers = ['info', 'debug', 'trace'].includes(core.config.logLevel)
  const app = Fastify({
    logger: options.logger ?? {
      level: core.config.logLevel,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: core.config.trustProxy,
    genReqId: () => randomUUID(),
    ...(!perRequestLoggers && { childLoggerFactory: (logger) => logger }),
    return503OnClosing: true,
  }).withTypeProvider() as unknown as GatehouseInstance

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
  app.setValidatorCompiler(createValidatorCompiler())
  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler((request, reply) => {
    notFoundHandler(request, reply)
    observeUnmatched?.(request.method, reply.statusCode, reply.elapsedTime)
  })
  app.removeContentTypeParser('text/plain')
  await registerOpenApi(app, core.config.issuer)
  await openApiRoutes(app)
  healthRoutes(app, () => core.ready())
  if (metrics) metricsRoute(app, metrics, core.config.metricsToken)
  await app.register(gatehouse, { core })
  return app
}
