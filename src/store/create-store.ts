import { ConfigError } from '../errors.js'
import { createSqliteStore } from './kysely/sqlite.js'
import type { Store } from './store.js'

/** The store named by a `--database` / `DATABASE_URL` value. */
export function createStore(database: string): Store {
  if (/^postgres(ql)?:\/\//i.test(database)) {
    throw new ConfigError(
      'DATABASE_URL: PostgreSQL is not supported by this version yet; use a SQLite file path',
    )
  }
  return createSqliteStore(database)
}
