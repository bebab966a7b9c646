import { openCore } from '../../core.js'
import { commandConfig, type Settings } from '../open.js'

/** Creates the database when there is none yet, and brings its schema up to date. */
export async function migrateCommand(settings: Settings): Promise<number> {
  const core = await openCore(commandConfig(settings, { mayCreate: true }))
  await core.close()
  process.stdout.write(`database ${core.config.database} is up to date\n`)
  return 0
}
