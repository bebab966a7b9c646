import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { ConfigError } from '../errors/index.js'

/** Whether a `--database` / `DATABASE_URL` value names a PostgreSQL server (else a SQLite path). */
export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database)
}

/**
 * Catches the database mistakes that would otherwise surface as a cryptic driver error, or
 * worse, as a new empty database: a URL of another scheme (`postgress://`, `mysql://`) taken
 * for a file name, a directory that does not exist, and (when `mustExist`) a path where no
 * database is yet.
 */
export function assertDatabaseLocation(database: string, mustExist: boolean): void {
  if (isPostgresUrl(database) || database === ':memory:') return
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(database)?.[1]
  if (scheme !== undefined) {
    const hint = /^postgre/i.test(scheme) ? ' (did you mean postgres://?)' : ''
    throw new ConfigError(
      `DATABASE_URL (--database): "${scheme}://" is not a database Gatehouse knows${hint}. ` +
        'Use a postgres:// URL or the path of a SQLite file',
    )
  }
  const file = resolve(database)
  const directory = dirname(file)
  if (!existsSync(directory) || !statSync(directory).isDirectory()) {
    throw new ConfigError(
      `DATABASE_URL (--database): the directory ${directory} does not exist; create it or ` +
        'choose another path for the SQLite file',
    )
  }
  if (existsSync(file) && statSync(file).isDirectory()) {
    throw new ConfigError(
      `DATABASE_URL (--database): ${file} is a directory; give the path of a SQLite file`,
    )
  }
  if (existsSync(file) && !looksLikeSqlite(file)) {
    // Checked before anything is written next to it (the generated secret).
    throw new ConfigError(
      `DATABASE_URL (--database): ${file} is not a SQLite database; check the path`,
    )
  }
  if (mustExist && !existsSync(file)) {
    throw new ConfigError(
      `DATABASE_URL (--database): there is no database at ${file}. Check the path, or ` +
        'create one with: gatehouse migrate --database ' +
        database,
    )
  }
}

/** A database or Redis URL without its password, for logs and messages. */
export function redactUrlPassword(value: string): string {
  try {
    const url = new URL(value)
    if (url.password) url.password = '***'
    return url.toString()
  } catch {
    return 'the configured address'
  }
}

/** SQLite's file header (sqlite.org/fileformat.html §1.3); an empty file is a new database. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1')

function looksLikeSqlite(file: string): boolean {
  if (statSync(file).size === 0) return true
  const header = Buffer.alloc(SQLITE_HEADER.length)
  const fd = openSync(file, 'r')
  try {
    readSync(fd, header, 0, header.length, 0)
  } finally {
    closeSync(fd)
  }
  return header.equals(SQLITE_HEADER)
}
