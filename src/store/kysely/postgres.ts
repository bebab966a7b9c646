import { Kysely, PostgresDialect } from 'kysely'
import type { Pool, PoolClient } from 'pg'
import { GatehouseError } from '../../errors/index.js'
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
    return refuseNulParameters(created)
  }
  return createKyselyStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), {
    migrationSchema: options.schema ?? 'public',
    dialect: 'postgres',
  })
}

/**
 * PostgreSQL text cannot hold U+0000, and refuses a query that carries one (22021) where
 * SQLite simply finds nothing. Whatever the value came from (a path, a cursor, a Basic
 * header), the store answers it as bad input, before it reaches the server: every backend
 * then answers such input 400 or 404, never 500.
 */
function refuseNulParameters(pool: Pool): Pool {
  const connect = pool.connect.bind(pool) as () => Promise<PoolClient>
  const guarded = new WeakSet<PoolClient>()
  Object.assign(pool, {
    async connect() {
      const client = await connect()
      if (!guarded.has(client)) {
        guarded.add(client)
        const query = client.query.bind(client) as (...args: unknown[]) => unknown
        Object.assign(client, {
          query(...args: unknown[]) {
            const values = args[1]
            if (Array.isArray(values) && values.some(hasNul)) {
              return Promise.reject(
                new GatehouseError(
                  'invalid_request',
                  'Text may not contain NUL (\\u0000) characters',
                ),
              )
            }
            return query(...args)
          },
        })
      }
      return client
    },
  })
  return pool
}

const hasNul = (value: unknown): boolean => typeof value === 'string' && value.includes('\0')
