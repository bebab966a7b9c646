// What each module costs to load: a fresh `node` per module imports it and reports the
// time the import took and the RSS it added (docs/performance.md, start-up).
import { execFileSync } from 'node:child_process'

const ROOT = new URL('../../../', import.meta.url).pathname
const MODULES = [
  'fastify',
  'typebox',
  'kysely',
  'ajv',
  '@fastify/swagger',
  '@fastify/swagger-ui',
  'prom-client',
  'pino',
  'better-sqlite3',
  'argon2',
  'jose',
  'preact-render-to-string',
  '@simplewebauthn/server',
  'qrcode',
  'nodemailer',
  './dist/http/app.js',
]

const probe = `
const before = process.memoryUsage().rss
const started = performance.now()
await import(process.argv[1])
const ms = performance.now() - started
process.stdout.write(JSON.stringify({ ms, rss: process.memoryUsage().rss - before }))
`

const results: Record<string, { ms: number; mib: number }> = {}
for (const name of MODULES) {
  const specifier = name.startsWith('./') ? new URL(name, `file://${ROOT}`).href : name
  const runs = [0, 1, 2].map(() => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe, specifier], {
      cwd: ROOT,
      encoding: 'utf8',
    })
    return JSON.parse(out) as { ms: number; rss: number }
  })
  runs.sort((a, b) => a.ms - b.ms)
  const mid = runs[1] ?? runs[0]!
  results[name] = { ms: Math.round(mid.ms), mib: Math.round((mid.rss / 2 ** 20) * 10) / 10 }
}
process.stdout.write(`${JSON.stringify(results)}\n`)
