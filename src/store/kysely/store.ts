import { Migrator, type Kysely, type Selectable } from 'kysely'
import type {
  SessionRecord,
  SigningKeyRecord,
  SigningKeyStatus,
  Store,
  UserPatch,
  UserRecord,
} from '../store.js'
import type { Database } from './database.js'
import { migrationProvider } from './migrations/index.js'

/** The Store over any Kysely dialect whose SQL matches ours (SQLite and Postgres). */
export function createKyselyStore(db: Kysely<Database>): Store {
  return {
    users: {
      async insert(user) {
        const result = await db
          .insertInto('users')
          .values(toUserRow(user))
          .onConflict((oc) => oc.column('username_key').doNothing())
          .executeTakeFirst()
        return Number(result.numInsertedOrUpdatedRows ?? 0) === 1 ? 'created' : 'username_taken'
      },
      async findById(id) {
        const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
        return row && toUserRecord(row)
      },
      async findByUsernameKey(usernameKey) {
        const row = await db
          .selectFrom('users')
          .selectAll()
          .where('username_key', '=', usernameKey)
          .executeTakeFirst()
        return row && toUserRecord(row)
      },
      async update(id, patch, at) {
        const row = await db
          .updateTable('users')
          .set({ ...toUserPatchRow(patch), updated_at: at })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst()
        return row && toUserRecord(row)
      },
    },

    sessions: {
      async create(session, firstToken) {
        await db.transaction().execute(async (trx) => {
          await trx
            .insertInto('sessions')
            .values({
              id: session.id,
              user_id: session.userId,
              created_at: session.createdAt,
              last_used_at: session.lastUsedAt,
              expires_at: session.expiresAt,
              ip: session.ip,
              user_agent: session.userAgent,
              revoked_at: session.revokedAt,
            })
            .execute()
          await trx
            .insertInto('refresh_tokens')
            .values({
              token_hash: firstToken.tokenHash,
              session_id: firstToken.sessionId,
              created_at: firstToken.createdAt,
              expires_at: firstToken.expiresAt,
            })
            .execute()
        })
      },
      async findById(id) {
        const row = await db
          .selectFrom('sessions')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst()
        return row && toSessionRecord(row)
      },
    },

    signingKeys: {
      async list() {
        const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at').execute()
        return rows.map(toSigningKeyRecord)
      },
      async insertIfSlotFree(key) {
        const result = await db
          .insertInto('signing_keys')
          .values({
            kid: key.kid,
            alg: key.alg,
            public_jwk: key.publicJwk,
            private_key_encrypted: key.privateKeyEncrypted,
            status: key.status,
            created_at: key.createdAt,
            activated_at: key.activatedAt,
            retired_at: key.retiredAt,
          })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst()
        return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
      },
    },

    async migrate() {
      const { error, results } = await new Migrator({
        db,
        provider: migrationProvider,
      }).migrateToLatest()
      const failed = results?.find((r) => r.status === 'Error')
      if (error !== undefined) {
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

function toUserRow(user: UserRecord): Database['users'] {
  return {
    id: user.id,
    username: user.username,
    username_key: user.usernameKey,
    password_hash: user.passwordHash,
    roles: JSON.stringify(user.roles),
    disabled: user.disabled ? 1 : 0,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
  }
}

function toUserPatchRow(patch: UserPatch): Partial<Database['users']> {
  const row: Partial<Database['users']> = {}
  if (patch.passwordHash !== undefined) row.password_hash = patch.passwordHash
  if (patch.roles !== undefined) row.roles = JSON.stringify(patch.roles)
  if (patch.disabled !== undefined) row.disabled = patch.disabled ? 1 : 0
  return row
}

function toUserRecord(row: Selectable<Database['users']>): UserRecord {
  return {
    id: row.id,
    username: row.username,
    usernameKey: row.username_key,
    passwordHash: row.password_hash,
    roles: parseStringArray(row.roles),
    disabled: Number(row.disabled) === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }
}

function toSessionRecord(row: Selectable<Database['sessions']>): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
    expiresAt: Number(row.expires_at),
    ip: row.ip,
    userAgent: row.user_agent,
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  }
}

function toSigningKeyRecord(row: Selectable<Database['signing_keys']>): SigningKeyRecord {
  return {
    kid: row.kid,
    alg: row.alg,
    publicJwk: row.public_jwk,
    privateKeyEncrypted: row.private_key_encrypted,
    status: row.status as SigningKeyStatus,
    createdAt: Number(row.created_at),
    activatedAt: row.activated_at === null ? null : Number(row.activated_at),
    retiredAt: row.retired_at === null ? null : Number(row.retired_at),
  }
}

function parseStringArray(text: string): string[] {
  const value: unknown = JSON.parse(text)
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new Error('stored roles are not a JSON array of strings')
  }
  return value
}
