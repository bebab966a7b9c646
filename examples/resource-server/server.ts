import { buildResourceServer } from './app.js'

const app = await buildResourceServer({
  gatehouseUrl: process.env['GATEHOUSE_URL'] ?? 'http://127.0.0.1:8080',
  logger: true,
})
await app.listen({ host: '127.0.0.1', port: Number(process.env['PORT'] ?? 3000) })
