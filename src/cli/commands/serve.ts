import cluster from 'node:cluster'
import type { Readable, Writable } from 'node:stream'
import { resolve as resolvePath } from 'node:path'
import { availableParallelism } from 'node:os'
import pino from 'pino'
import { serveWorkerState } from '../../cluster/ipc.js'
import { DEFAULT_LOCKOUT_POLICY } from '../../cluster/limiter.js'
import { isPostgresUrl, redactUrlPassword } from '../../config/database.js'
import { loadConfig } from '../../config/load.js'
import type { Config, SettingName } from '../../config/schema.js'
import { openCore } from '../../core.js'
import { ConfigError } from '../../errors/index.js'
import { buildApp } from '../../http/app.js'
import { exitOnUncaughtException } from '../../http/logger.js'
import { DEMO_USERS } from '../../capabilities/accounts/index.js'
import { lowerBackgroundThreadPriority } from '../thread-priority.js'

/** Runs the server until SIGTERM or SIGINT, then drains in-flight requests and exits 0. */
export async function serveCommand(
  settings: Partial<Record<SettingName, unknown>>,
): Promise<number> {
  const config = loadConfig({ env: process.env, overrides: settings })
  const workers = config.workers === 0 ? availableParallelism() : config.workers
  if (workers > 1 && cluster.isPrimary) return runPrimary(config, workers)
  return runServer(config)
}

async function runServer(config: Config): Promise<number> {
  const core = await openCore(config)
  const app = await buildApp({ core, closeCore: true })
  // A crash still leaves its reason, and every line logged before it, in the log.
  exitOnUncaughtException(app.log)
  for (const warning of core.warnings) app.log.warn(warning)
  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (error) {
    await app.close()
    throw explainListenError(error, config)
  }
  await lowerBackgroundThreadPriority()
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  for (const line of startupSummary(config, port)) app.log.info(line.fields ?? {}, line.text)

  return new Promise((resolve) => {
    const stop = (signal: string) => {
      app.log.info({ signal }, 'shutting down')
      // Whatever a dependency does (Redis unreachable, a stuck query), the process ends
      // within the bound; unref'd so that a clean close does not wait for it.
      const force = setTimeout(() => {
        app.log.error(
          { timeout: config.shutdownTimeout },
          'shutdown took longer than GATEHOUSE_SHUTDOWN_TIMEOUT; exiting anyway',
        )
        process.exit(1)
      }, config.shutdownTimeout * 1000)
      force.unref()
      // Fastify stops accepting connections, answers 503 to new requests on open ones,
      // lets in-flight requests finish, then the onClose hooks close the store and Redis.
      app.close().then(
        () => {
          clearTimeout(force)
          // A worker's IPC channel would keep it alive after everything else closed.
          if (cluster.isWorker) cluster.worker?.disconnect()
          resolve(0)
        },
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed')
          resolve(1)
        },
      )
    }
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
  })
}

/** A listen failure in one sentence that names the setting to change. */
function explainListenError(error: unknown, config: Config): unknown {
  const code = (error as { code?: string }).code
  const where = `${config.host}:${config.port}`
  if (code === 'EADDRINUSE') {
    return new ConfigError(
      `port ${config.port} on ${config.host} is already in use (is another Gatehouse running?); ` +
        'choose another with --port or GATEHOUSE_PORT',
    )
  }
  if (code === 'EACCES') {
    return new ConfigError(
      `not allowed to listen on ${where} (ports below 1024 need privileges); ` +
        'choose another with --port or GATEHOUSE_PORT',
    )
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new ConfigError(
      `cannot listen on ${config.host}: this machine has no such address; ` +
        'choose another with --host or GATEHOUSE_HOST',
    )
  }
  return error
}

/** What a person starting the server wants to read: where it is and what it uses. */
function startupSummary(
  config: Config,
  port: number,
): { text: string; fields?: Record<string, unknown> }[] {
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`
  const database = isPostgresUrl(config.database)
    ? `PostgreSQL at ${redactUrlPassword(config.database)}`
    : config.database === ':memory:'
      ? 'SQLite in memory (nothing is kept after exit)'
      : `SQLite file ${resolvePath(config.database)}`
  const secret =
    config.generatedSecretFile !== null
      ? `no GATEHOUSE_SECRET set: generated a development secret in ${config.generatedSecretFile} (mode 0600); keep it with the database`
      : process.env['GATEHOUSE_SECRET']
        ? 'secret from GATEHOUSE_SECRET'
        : isPostgresUrl(config.database) || config.database === ':memory:'
          ? 'secret generated for this process only'
          : `secret from ${config.database}.secret`
  const lines: { text: string; fields?: Record<string, unknown> }[] = [
    { text: `Gatehouse is ready at ${url}`, fields: { url, issuer: config.issuer } },
    { text: `issuer (iss of every token): ${config.issuer}` },
    { text: `database: ${database}` },
    {
      text: secret,
      ...(config.generatedSecretFile !== null && { fields: { file: config.generatedSecretFile } }),
    },
    { text: `API docs: ${url}/docs (OpenAPI document at ${url}/openapi.json)` },
  ]
  if (config.demo) {
    // Names only: passwords never reach a log, not even the tutorial's (see the README).
    const users = DEMO_USERS.map(
      (user) => `${user.username}${user.roles.length ? ` (${user.roles.join(', ')})` : ''}`,
    )
    lines.push({ text: `demo users: ${users.join(', ')}; their passwords are in the README` })
  }
  if (!config.issuerConfigured && config.port === 0) {
    lines.push({
      text: `the issuer names port 0: set GATEHOUSE_ISSUER (--issuer) to ${url} or your public URL`,
    })
  }
  return lines
}

/**
 * `--workers N`: this process migrates and creates the keys once, then forks the workers,
 * which share the port (node:cluster) and their state through this process (or Redis).
 * A worker that dies is replaced; SIGTERM drains every worker, then exits 0.
 */
async function runPrimary(config: Config, workers: number): Promise<number> {
  const log = pino({ level: config.logLevel })
  const core = await openCore(config)
  await core.close()
  serveWorkerState({ ...DEFAULT_LOCKOUT_POLICY, threshold: config.lockoutThreshold })

  // Each worker logs into a pipe of its own; this process writes their lines to stdout
  // whole, so large batched writes of two workers never interleave mid-line.
  cluster.setupPrimary({ silent: true })
  cluster.on('fork', (worker) => {
    if (worker.process.stdout) forwardLines(worker.process.stdout, process.stdout)
    worker.process.stderr?.pipe(process.stderr, { end: false })
  })
  let stopping = false
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return
    log.error({ pid: worker.process.pid, code, signal }, 'worker died; starting another')
    cluster.fork()
  })
  for (let i = 0; i < workers; i++) cluster.fork()
  log.info({ workers }, 'gatehouse primary started')

  return new Promise((resolve) => {
    const stop = (signal: string) => {
      stopping = true
      log.info({ signal }, 'stopping workers')
      const running = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined)
      let left = running.length
      if (left === 0) resolve(0)
      let failed = false
      for (const worker of running) {
        // Done when it has exited and its last log lines have been forwarded.
        const output = worker.process.stdout
        const drained = output
          ? new Promise((done) => output.once('close', done))
          : Promise.resolve()
        worker.once('exit', (code) => {
          failed ||= code !== 0
          void drained.then(() => {
            if (--left === 0) resolve(failed ? 1 : 0)
          })
        })
        worker.process.kill('SIGTERM')
      }
    }
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
  })
}

/** Copies `from` to `to` in whole lines: a read that ends mid-line waits for the rest. */
function forwardLines(from: Readable, to: Writable): void {
  let partial = ''
  from.setEncoding('utf8')
  from.on('data', (chunk: string) => {
    const end = chunk.lastIndexOf('\n')
    if (end < 0) {
      partial += chunk
      return
    }
    to.write(partial + chunk.slice(0, end + 1))
    partial = chunk.slice(end + 1)
  })
  from.on('end', () => {
    if (partial !== '') to.write(`${partial}\n`)
  })
}
