import { loadConfig } from '../../config/load.js'
import type { SettingName } from '../../config/schema.js'
import { openCore } from '../../core.js'

export async function migrateCommand(
  settings: Partial<Record<SettingName, unknown>>,
): Promise<number> {
  const core = await openCore(loadConfig({ env: process.env, overrides: settings }))
  await core.close()
  process.stdout.write(`database ${core.config.database} is up to date\n`)
  return 0
}
