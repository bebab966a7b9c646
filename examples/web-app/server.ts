import { buildWebApp } from './app.js'

const required = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === '') {
    process.stderr.write(`Set ${name} (see examples/web-app/README.md)\n`)
    process.exit(2)
  }
  return value
}

const port = Number(process.env['PORT'] ?? 3001)
const app = await buildWebApp({
  issuer: process.env['GATEHOUSE_URL'] ?? 'http://127.0.0.1:8080',
  clientId: required('CLIENT_ID'),
  clientSecret: required('CLIENT_SECRET'),
  appUrl: process.env['APP_URL'] ?? `http://127.0.0.1:${port}`,
  apiUrl: process.env['API_URL'] ?? 'http://127.0.0.1:3000',
  logger: true,
})
await app.listen({ host: '127.0.0.1', port })
