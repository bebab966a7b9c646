import { isPostgresUrl } from '../config/database.js'
import { createPostgresStore } from './kysely/postgres.js'
import { createSqliteStore } from './kysely/sqlite.js'
import type { Store } from './store.js'

/** The store named by a `--database` / `DATABASE_URL` value: a PostgreSQL URL or a SQLite path. */
export function createStore(database: string): Store {
  return isPostgresUrl(database) ? createPostgresStore(database) : createSqliteStore(database)
}
