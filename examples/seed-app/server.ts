import { buildSeedApp } from './app.js'

const app = await buildSeedApp()
await app.listen({ host: '127.0.0.1', port: Number(process.env['PORT'] ?? 5000) })
