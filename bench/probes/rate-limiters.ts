// The cost a per-IP limit adds to a request, in one process: Gatehouse's limiter hook
// (http/rate-limit.ts over cluster/limiter-memory.ts) against @fastify/rate-limit's local
// store, each on an otherwise empty Fastify route, driven by inject. Decision 0007.
import rateLimit from '@fastify/rate-limit'
import Fastify, { type FastifyInstance } from 'fastify'
import { createMemoryRateLimiter } from '../../src/cluster/limiter-memory.js'
import { createIpRateLimit } from '../../src/http/rate-limit.js'

const requests = Number(process.argv[2] ?? 20_000)
const limit = 1_000_000_000
const telemetry = { limited: () => undefined } as unknown as Parameters<typeof createIpRateLimit>[3]

async function measure(build: () => Promise<FastifyInstance>): Promise<number> {
  const app = await build()
  await app.ready()
  for (let i = 0; i < 2_000; i++) await app.inject({ url: '/x' })
  const start = performance.now()
  for (let i = 0; i < requests; i++) await app.inject({ url: '/x' })
  const micros = ((performance.now() - start) * 1000) / requests
  await app.close()
  return micros
}

const none = await measure(() => {
  const app = Fastify()
  app.get('/x', () => 'ok')
  return Promise.resolve(app)
})
const ours = await measure(() => {
  const app = Fastify()
  const hook = createIpRateLimit(
    createMemoryRateLimiter(),
    limit,
    { now: () => Date.now() },
    telemetry,
  )
  app.get('/x', { onRequest: hook }, () => 'ok')
  return Promise.resolve(app)
})
const theirs = await measure(async () => {
  const app = Fastify()
  await app.register(rateLimit, { global: false })
  app.get('/x', { config: { rateLimit: { max: limit, timeWindow: 60_000 } } }, () => 'ok')
  return app
})
process.stdout.write(
  `${JSON.stringify({ 'µs per request, no limit': none, gatehouse: ours, '@fastify/rate-limit': theirs })}\n`,
)
