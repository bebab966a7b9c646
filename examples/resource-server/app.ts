/**
 * A separate service protected by a running Gatehouse: it verifies access tokens offline
 * against Gatehouse's JWKS and never calls it per request.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { gatehouseGuard } from 'gatehouse-auth/guard'

export interface ResourceServerOptions {
  /** Where Gatehouse answers, e.g. http://127.0.0.1:8080. */
  gatehouseUrl: string
  /** Gatehouse's issuer (GATEHOUSE_ISSUER); defaults to gatehouseUrl. */
  issuer?: string
  logger?: boolean
}

export async function buildResourceServer(
  options: ResourceServerOptions,
): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false })
  await app.register(gatehouseGuard, {
    issuer: options.issuer ?? options.gatehouseUrl,
    audience: 'gatehouse',
    jwksUri: `${options.gatehouseUrl}/.well-known/jwks.json`,
  })

  // Anyone; a valid token adds a greeting.
  app.get('/hello', { onRequest: app.auth.optional() }, (request) => ({
    hello: request.principal?.username ?? 'stranger',
  }))

  // Users (and machine clients) holding scope data:read.
  app.get('/reports', { onRequest: app.auth.required({ scopes: ['data:read'] }) }, (request) => ({
    reports: ['q1', 'q2'],
    for: request.principal?.username ?? request.principal?.sub,
  }))

  // Admins only, and only straight after a password login.
  app.delete(
    '/reports/:id',
    { onRequest: app.auth.required({ roles: ['admin'], fresh: true }) },
    (request) => ({
      deleted: (request.params as { id: string }).id,
      by: request.principal?.username,
    }),
  )

  return app
}
