import { loadConfig } from '../../config/load.js'
import type { SettingName } from '../../config/schema.js'
import { openCore } from '../../core.js'
import { buildApp } from '../../http/app.js'

/** Runs the server until SIGTERM or SIGINT, then drains in-flight requests and exits 0. */
export async function serveCommand(
  settings: Partial<Record<SettingName, unknown>>,
): Promise<number> {
  const config = loadConfig({ env: process.env, overrides: settings })
  const core = await openCore(config)
  const app = await buildApp({ core })
  app.addHook('onClose', () => core.close())
  if (config.generatedSecretFile) {
    app.log.warn(
      { file: config.generatedSecretFile },
      'no GATEHOUSE_SECRET set: generated a development secret and saved it with mode 0600',
    )
  }
  await app.listen({ host: config.host, port: config.port })
  app.log.info({ issuer: config.issuer, database: config.database }, 'gatehouse ready')

  return new Promise((resolve) => {
    const stop = (signal: string) => {
      app.log.info({ signal }, 'shutting down')
      app.close().then(
        () => resolve(0),
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
