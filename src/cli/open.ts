import { loadConfig } from '../config/load.js'
import type { Config, SettingName } from '../config/schema.js'
import { openCore, type Core } from '../core.js'

export type Settings = Partial<Record<SettingName, unknown>>

/** The configuration of a command, its warnings printed to stderr. */
export function commandConfig(settings: Settings, options: { mayCreate: boolean }): Config {
  const config = loadConfig({
    env: process.env,
    overrides: settings,
    databaseMustExist: !options.mayCreate,
  })
  for (const warning of config.warnings) process.stderr.write(`gatehouse: warning: ${warning}\n`)
  return config
}

/**
 * The core for a command that works on an existing database: a mistyped `--database`
 * path is an error, never a new empty database (only `serve` and `migrate` create one).
 */
export async function withExistingDatabase<T>(
  settings: Settings,
  work: (core: Core) => Promise<T>,
): Promise<T> {
  const core = await openCore(commandConfig(settings, { mayCreate: false }))
  try {
    return await work(core)
  } finally {
    await core.close()
  }
}
