import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { createRequire } from 'node:module'

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string }

/**
 * OpenAPI 3.1 generated from the route schemas, so it cannot drift from what the server
 * validates. Must be registered before the routes it describes.
 */
export async function registerOpenApi(app: FastifyInstance, issuer: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatehouse',
        version,
        description:
          'Token-based authentication for REST APIs. Every error is JSON `{"msg","error"}`.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: issuer }],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'An access token from /login, or an API key (gthk_…)',
          },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          cookieAuth: {
            type: 'apiKey',
            in: 'cookie',
            name: 'access_token_cookie',
            description: 'State-changing requests also need X-CSRF-Token',
          },
          metricsToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'GATEHOUSE_METRICS_TOKEN, for GET /metrics when it is set',
          },
          clientBasic: { type: 'http', scheme: 'basic', description: 'client_secret_basic' },
          clientPost: {
            type: 'apiKey',
            in: 'query',
            name: 'client_secret',
            description: 'client_secret_post: client_id and client_secret in the form body',
          },
        },
      },
    },
  })
}

export async function openApiRoutes(app: FastifyInstance): Promise<void> {
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger())
  // Swagger UI from the installed package: works offline, no CDN.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    uiHooks: { onRequest: sendIndexToDocsRoot },
  })
}

const STATIC_INDEX = '/static/index.html'

/**
 * The plugin sends `/docs/static/index.html` to `/docs/` by rewriting the URL's end, so
 * with a query string the rewrite misses and the page redirects to itself forever. Every
 * form of that address goes to `/docs/` here, query kept, before the plugin sees it.
 */
function sendIndexToDocsRoot(
  request: FastifyRequest,
  reply: FastifyReply,
  done: (error?: Error) => void,
): void {
  const [path = '', query] = request.url.split('?', 2)
  if (!path.endsWith(STATIC_INDEX)) {
    done()
    return
  }
  const root = `${path.slice(0, -STATIC_INDEX.length)}/`
  void reply.redirect(query === undefined ? root : `${root}?${query}`)
}
