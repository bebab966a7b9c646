import { Kysely, PostgresDialect } from 'kysely'
import type { Store } from '../store.js'
import type { Database } from './database.js'
import { createKyselyStore } from './store.js'

export interface PostgresStoreOptions {
  /** Connections per instance. Default 10. */
  poolSize?: number
  /** Schema for Gatehouse's tables (search_path). Default: the server's default. */
  schema?: string
}

/** PostgreSQL through a connection pool; the same schema and queries as SQLite. */
export function createPostgresStore(url: string, options: PostgresStoreOptions = {}): Store {
  // pg is loaded on first use, so servers on SQLite never pay for it at start-up.
  const pool = async () => {
    const { default: pg } = await import('pg')
    const created = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      ...(options.schema !== undefined && { options: `-c search_path=${options.schema}` }),
    })
    // An idle connection dropped by the server must not crash the process.
    created.on('error', () => undefined)
    return created
  }
  return createKyselyStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), {
    migrationSchema: options.schema ?? 'public',
  })
}
