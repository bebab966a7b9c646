// The same app with the guard called from the handler instead of an onRequest hook: what
// Fastify's hook machinery costs per request (docs/performance.md, "guard as a hook").
import Fastify from 'fastify'
import { announce, port } from './common.js'
import { guardOptions, guardPackage } from './guard-options.js'

const guard = guardPackage.createGuard(guardOptions())
const app = Fastify({ logger: false })
app.get('/protected', async (request, reply) => {
  try {
    const claims = await guard.authenticate(request.headers.authorization)
    return { logged_in_as: claims.username ?? claims.sub }
  } catch (error) {
    const response = guard.errorResponse(error, request.headers.authorization)
    return reply.code(response.status).headers(response.headers).send(response.body)
  }
})
await app.listen({ port: port(), host: '127.0.0.1' })
announce(app.server.address())
