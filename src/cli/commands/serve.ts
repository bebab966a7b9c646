import cluster from 'node:cluster'
import { availableParallelism } from 'node:os'
import pino from 'pino'
import { serveWorkerState } from '../../cluster/ipc.js'
import { DEFAULT_LOCKOUT_POLICY } from '../../cluster/limiter.js'
import { loadConfig } from '../../config/load.js'
import type { Config, SettingName } from '../../config/schema.js'
import { openCore } from '../../core.js'
import { buildApp } from '../../http/app.js'
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
  if (config.generatedSecretFile) {
    app.log.warn(
      { file: config.generatedSecretFile },
      'no GATEHOUSE_SECRET set: generated a development secret and saved it with mode 0600',
    )
  }
  await app.listen({ host: config.host, port: config.port })
  await lowerBackgroundThreadPriority()
  app.log.info({ issuer: config.issuer, database: redactUrl(config.database) }, 'gatehouse ready')

  return new Promise((resolve) => {
    const stop = (signal: string) => {
      app.log.info({ signal }, 'shutting down')
      // Fastify stops accepting connections, answers 503 to new requests on open ones,
      // lets in-flight requests finish, then the onClose hooks close the store and Redis.
      app.close().then(
        () => {
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
        worker.once('exit', (code) => {
          failed ||= code !== 0
          if (--left === 0) resolve(failed ? 1 : 0)
        })
        worker.process.kill('SIGTERM')
      }
    }
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
  })
}

/** A database URL without its password, for logs. */
function redactUrl(value: string): string {
  try {
    const url = new URL(value)
    if (url.password) url.password = '***'
    return url.protocol.startsWith('postgres') ? url.toString() : value
  } catch {
    return value
  }
}
