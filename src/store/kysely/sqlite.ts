import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, SqliteDialect, type SqliteDialectConfig } from 'kysely'
import { LRUCache } from 'lru-cache'
import type { Store } from '../store.js'
import type { Database } from './database.js'
import { createKyselyStore } from './store.js'

/** Embedded SQLite: a file (WAL mode) or `:memory:`. */
export function createSqliteStore(path: string): Store {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true })
    // The file holds password hashes and sealed keys: readable by its owner only. 'a' opens
    // without truncating, so an existing database keeps its content and mode.
    closeSync(openSync(path, 'a', 0o600))
  }
  const sqlite = new SqliteDatabase(path)
  // WAL lets readers proceed during a write; busy_timeout makes a second process wait for
  // the write lock instead of failing at once; foreign keys are off by default in SQLite.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('synchronous = NORMAL')
  return createKyselyStore(
    new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) }),
  )
}

/** Prepared statements kept, by SQL text: more than the store's distinct queries. */
const STATEMENT_CACHE_SIZE = 500

/**
 * Kysely's SQLite driver prepares every query again on every execution; better-sqlite3's
 * statements are reusable, and preparing was ~40 µs of a ~1 ms token request
 * (docs/performance.md). Queries are built from fixed shapes with bound parameters, so
 * the distinct SQL texts are few; the cache is bounded all the same (least recently used out).
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDialectConfig['database'] {
  const statements = new LRUCache<string, SqliteDatabase.Statement>({
    max: STATEMENT_CACHE_SIZE,
  })
  return {
    prepare(sql: string) {
      let statement = statements.get(sql)
      if (statement === undefined) {
        statement = sqlite.prepare(sql)
        statements.set(sql, statement)
      }
      return statement
    },
    close: () => sqlite.close(),
  }
}

/**
 * A consistent copy of a live SQLite database (SQLite's online backup API: pages are
 * copied while other connections keep reading and writing, and the copy is one moment's
 * state). Refuses to overwrite an existing file.
 */
export async function backupSqlite(path: string, destination: string): Promise<void> {
  if (existsSync(destination)) throw new Error(`${destination} already exists; choose a new file`)
  const sqlite = new SqliteDatabase(path, { fileMustExist: true, readonly: true })
  try {
    await sqlite.backup(destination)
    chmodSync(destination, 0o600)
  } finally {
    sqlite.close()
  }
}
