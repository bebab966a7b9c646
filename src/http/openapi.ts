import swagger from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'
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
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
    },
  })
}

export function openApiRoute(app: FastifyInstance): void {
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger())
}
