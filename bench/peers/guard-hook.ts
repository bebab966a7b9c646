// A user's Fastify app protected by gatehouse-auth/guard, the way docs/library.md shows it:
// the guard as the route's onRequest hook, keys from Gatehouse's JWKS.
import Fastify from 'fastify'
import { announce, port } from './common.js'
import { guardOptions, guardPackage, requiredHook } from './guard-options.js'

const app = Fastify({ logger: false })
await app.register(guardPackage.gatehouseGuard, guardOptions())
app.get('/protected', { onRequest: requiredHook(app) }, (request) => {
  const principal = (request as unknown as { principal: { sub: string; username?: string } })
    .principal
  return { logged_in_as: principal.username ?? principal.sub }
})
await app.listen({ port: port(), host: '127.0.0.1' })
announce(app.server.address())
