// Fastify with no auth: the framework's own cost.
import Fastify from 'fastify'
import { announce, ANSWER, port } from './common.js'

const app = Fastify({ logger: false })
app.get('/protected', () => ANSWER)
await app.listen({ port: port(), host: '127.0.0.1' })
announce(app.server.address())
