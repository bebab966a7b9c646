// Fastify + jose jwtVerify with an Ed25519 public key: asymmetric tokens, no cache.
import Fastify from 'fastify'
import { jwtVerify, type JWTPayload } from 'jose'
import { announce, AUDIENCE, ed25519PublicKey, ISSUER, port } from './common.js'

const key = ed25519PublicKey()
const app = Fastify({ logger: false })
app.decorateRequest('claims', null)
declare module 'fastify' {
  interface FastifyRequest {
    claims: JWTPayload | null
  }
}
app.get(
  '/protected',
  {
    async onRequest(request, reply) {
      const header = request.headers.authorization ?? ''
      try {
        const { payload } = await jwtVerify(header.slice('Bearer '.length), key, {
          algorithms: ['EdDSA'],
          issuer: ISSUER,
          audience: AUDIENCE,
        })
        request.claims = payload
      } catch {
        await reply.code(401).send({ msg: 'Unauthorized' })
      }
    },
  },
  (request) => ({ logged_in_as: request.claims?.['username'] }),
)
await app.listen({ port: port(), host: '127.0.0.1' })
announce(app.server.address())
