// Fastify + @fastify/jwt, HS256 with a shared secret: the common Fastify setup.
import fastifyJwt from '@fastify/jwt'
import Fastify from 'fastify'
import { announce, AUDIENCE, hs256Secret, ISSUER, port } from './common.js'

const app = Fastify({ logger: false })
await app.register(fastifyJwt, {
  secret: hs256Secret().export(),
  verify: { algorithms: ['HS256'], allowedIss: ISSUER, allowedAud: AUDIENCE },
})
app.get('/protected', { onRequest: (request) => request.jwtVerify() }, (request) => ({
  logged_in_as: (request.user as { username: string }).username,
}))
await app.listen({ port: port(), host: '127.0.0.1' })
announce(app.server.address())
