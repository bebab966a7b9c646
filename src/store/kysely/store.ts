import { setTimeout } from 'node:timers/promises'
import { Migrator, type Kysely } from 'kysely'
import type { Store } from '../store.js'
import { createApiKeyStore } from './api-keys.js'
import { createAuditStore } from './audit.js'
import { createOAuthClientStore } from './clients.js'
import type { Database, SqlDialect } from './database.js'
import { createRevocationStore } from './revocations.js'
import { migrationProvider } from './migrations/index.js'
import { createSessionStore } from './sessions.js'
import { createSigningKeyStore } from './signing-keys.js'
import { createUserStore } from './users.js'
import { createMailQueueStore } from './mail-queue.js'
import { createEmailTokenStore } from './email-tokens.js'
import { createMfaStore } from './mfa.js'
import { createAuthorizationCodeStore } from './authorization-codes.js'
import { createConsentStore } from './consents.js'

const MIGRATION_ATTEMPTS = 5

/** The Store over any Kysely dialect whose SQL matches ours (SQLite and Postgres). */
export interface KyselyStoreOptions {
  /**
   * Schema of Kysely's migration bookkeeping (Postgres). Without it Kysely accepts those
   * tables from any schema, and another application's would hide ours.
   */
  migrationSchema?: string
  /** Whose SQL beyond the common part a store may use (PostgreSQL's data-modifying CTEs). */
  dialect?: SqlDialect
}

export function createKyselyStore(db: Kysely<Database>, options: KyselyStoreOptions = {}): Store {
  return {
    users: createUserStore(db),
    sessions: createSessionStore(db, options.dialect ?? 'sqlite'),
    signingKeys: createSigningKeyStore(db),
    revocations: createRevocationStore(db),
    audit: createAuditStore(db),
    apiKeys: createApiKeyStore(db),
    clients: createOAuthClientStore(db),
    mail: createMailQueueStore(db),
    emailTokens: createEmailTokenStore(db),
    mfa: createMfaStore(db),
    authorizationCodes: createAuthorizationCodeStore(db),
    consents: createConsentStore(db),

    async migrate() {
      const migrator = new Migrator({
        db,
        provider: migrationProvider,
        ...(options.migrationSchema !== undefined && {
          migrationTableSchema: options.migrationSchema,
        }),
      })
      for (let attempt = 1; ; attempt++) {
        const { error, results } = await migrator.migrateToLatest()
        if (error === undefined) return
        // Instances starting together on one SQLite file race here (Kysely's SQLite lock
        // is per connection). Each batch runs in one transaction, so the loser rolled
        // back whole; trying again finds the winner's work done.
        if (attempt >= MIGRATION_ATTEMPTS) {
          const failed = results?.find((r) => r.status === 'Error')
          const what =
            failed === undefined
              ? 'could not bring the database schema up to date'
              : `migration ${failed.migrationName} failed`
          throw new Error(what, { cause: error })
        }
        await setTimeout(50 * attempt)
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
