import { ConfigError, defaultMessage, GatehouseError } from '../errors/index.js'

/** Errors of the PostgreSQL server (SQLSTATE) and of the network, in words. */
const POSTGRES_STATES: Record<string, string> = {
  '3D000': 'the PostgreSQL database does not exist; create it first (createdb NAME)',
  '28P01': 'PostgreSQL refused the password in DATABASE_URL',
  '28000': 'PostgreSQL refused the user in DATABASE_URL',
  '42501': 'the PostgreSQL user in DATABASE_URL lacks the privileges Gatehouse needs',
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'nothing answers at that address (is the server running? is the port right?)',
  ENOTFOUND: 'that host name does not resolve',
  ETIMEDOUT: 'the connection timed out',
}

const SQLITE_CODES: Record<string, string> = {
  SQLITE_NOTADB: 'the file is not a SQLite database; check --database / DATABASE_URL',
  SQLITE_CORRUPT: 'the SQLite database is corrupt; restore it from a backup',
  SQLITE_CANTOPEN: 'the SQLite file cannot be opened; check --database and its permissions',
  SQLITE_READONLY: 'the SQLite file is read-only for this user',
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = []
  for (let current = error; current !== undefined && chain.length < 8;) {
    chain.push(current)
    current = current instanceof Error ? current.cause : undefined
  }
  return chain
}

/**
 * One paragraph for a failure of a command or of start-up: what went wrong and what to
 * change, never a stack trace (unless `GATEHOUSE_LOG_LEVEL` is debug or trace).
 */
export function describeFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message
  if (error instanceof GatehouseError) {
    return error.hasCustomMessage ? error.message : defaultMessage(error.code)
  }
  const chain = causes(error)
  const explained = chain
    .map((link) => {
      const code = (link as { code?: unknown }).code
      if (typeof code !== 'string') return undefined
      return POSTGRES_STATES[code] ?? NETWORK_CODES[code] ?? SQLITE_CODES[code]
    })
    .find((text) => text !== undefined)
  const messages = chain
    .map((link) => (link instanceof Error ? link.message : String(link)))
    .filter((message) => message !== '')
  const summary = [...new Set(messages)].join(': ')
  return explained === undefined ? summary : `${summary} (${explained})`
}
