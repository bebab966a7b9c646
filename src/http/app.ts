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
import { trackInFlight } from './drain.js'
import { healthRoutes } from './routes/health.js'
import { metricsRoutes } from './metrics.js'
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
  const app = Fastify({
    logger: options.logger ?? {
      level: core.config.logLevel,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: core.config.trustProxy,
    genReqId: () => randomUUID(),
    return503OnClosing: true,
  }).withTypeProvider() as unknown as GatehouseInstance

  if (options.onRoute) app.addHook('onRoute', options.onRoute)
  if (options.closeCore) {
    const drained = trackInFlight(app)
    app.addHook('onClose', async () => {
      await drained()
      await core.close()
    })
  }
  app.setValidatorCompiler(createValidatorCompiler())
  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler(notFoundHandler)
  app.removeContentTypeParser('text/plain')
  await registerOpenApi(app, core.config.issuer)
  await openApiRoutes(app)
  healthRoutes(app, () => core.ready())
  if (core.config.metrics) metricsRoutes(app, core)
  await app.register(gatehouse, { core })
  return app
}
