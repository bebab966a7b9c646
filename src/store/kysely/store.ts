import { Migrator, type Kysely } from 'kysely'
import type { Store } from '../store.js'
import { createApiKeyStore } from './api-keys.js'
import { createAuditStore } from './audit.js'
import { createOAuthClientStore } from './clients.js'
import type { Database } from './database.js'
import { createDenylistStore } from './denylist.js'
import { migrationProvider } from './migrations/index.js'
import { createSessionStore } from './sessions.js'
import { createSigningKeyStore } from './signing-keys.js'
import { createUserStore } from './users.js'

/** The Store over any Kysely dialect whose SQL matches ours (SQLite and Postgres). */
export function createKyselyStore(db: Kysely<Database>): Store {
  return {
    users: createUserStore(db),
    sessions: createSessionStore(db),
    signingKeys: createSigningKeyStore(db),
    denylist: createDenylistStore(db),
    audit: createAuditStore(db),
    apiKeys: createApiKeyStore(db),
    clients: createOAuthClientStore(db),

    async migrate() {
      const { error, results } = await new Migrator({
        db,
        provider: migrationProvider,
      }).migrateToLatest()
      if (error !== undefined) {
        const failed = results?.find((r) => r.status === 'Error')
        throw new Error(`migration ${failed?.migrationName ?? ''} failed`, { cause: error })
      }
    },

    async ping() {
      await db.selectFrom('users').select('id').limit(1).execute()
    },

    async close() {
      await db.destroy()
    },
  }
}
