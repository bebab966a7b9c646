import { chmodSync, copyFileSync, existsSync } from 'node:fs'
import { isPostgresUrl } from '../../config/database.js'
import { backupSqlite } from '../../store/kysely/sqlite.js'
import { commandConfig, type Settings } from '../open.js'

export const BACKUP_USAGE = 'usage: gatehouse backup FILE [--database PATH]'

/**
 * `backup FILE`: an online, consistent copy of the SQLite database, and of the generated
 * secret beside it (the signing keys are sealed with it: a copy without it cannot sign).
 * PostgreSQL has its own tools (pg_dump).
 */
export async function backupCommand(args: string[], settings: Settings): Promise<number> {
  const [file, extra] = args
  if (file === undefined || extra !== undefined) {
    process.stderr.write(`${BACKUP_USAGE}\n`)
    return 2
  }
  const config = commandConfig(settings, { mayCreate: false })
  if (isPostgresUrl(config.database)) {
    process.stderr.write(
      'gatehouse: backup copies SQLite databases; for PostgreSQL use pg_dump ' +
        '(docs/operations.md), and keep GATEHOUSE_SECRET with the dump\n',
    )
    return 2
  }
  if (config.database === ':memory:') {
    process.stderr.write('gatehouse: an in-memory database cannot be backed up\n')
    return 2
  }
  await backupSqlite(config.database, file)
  process.stdout.write(`backed up ${config.database} to ${file}\n`)
  const secretFile = `${config.database}.secret`
  if (!process.env['GATEHOUSE_SECRET'] && existsSync(secretFile)) {
    copyFileSync(secretFile, `${file}.secret`)
    chmodSync(`${file}.secret`, 0o600)
    process.stdout.write(`copied its secret to ${file}.secret (keep the two together)\n`)
  } else {
    process.stdout.write(
      'keep GATEHOUSE_SECRET with the backup: the signing keys are sealed with it\n',
    )
  }
  return 0
}
