import type { Kysely, Selectable } from 'kysely'
import type { ApiKeyRecord, ApiKeyStore } from '../store.js'
import type { Database } from './database.js'
import { affectedRows, newestFirst, toNullableNumber, toNumber } from './rows.js'
import { parseStringArray, toUserRecord } from './users.js'

export function createApiKeyStore(db: Kysely<Database>): ApiKeyStore {
  return {
    async insert(key) {
      await db
        .insertInto('api_keys')
        .values({
          id: key.id,
          user_id: key.userId,
          name: key.name,
          key_hash: key.keyHash,
          prefix: key.prefix,
          last4: key.last4,
          scopes: JSON.stringify(key.scopes),
          created_at: key.createdAt,
          last_used_at: key.lastUsedAt,
          expires_at: key.expiresAt,
          revoked_at: key.revokedAt,
        })
        .execute()
    },
    async findByHash(keyHash) {
      // One round trip: the key with its owner.
      const row = await db
        .selectFrom('api_keys as k')
        .innerJoin('users as u', 'u.id', 'k.user_id')
        .selectAll('k')
        .select([
          'u.username',
          'u.username_key',
          'u.password_hash',
          'u.roles',
          'u.disabled',
          'u.created_at as owner_created_at',
          'u.updated_at as owner_updated_at',
          'u.email',
          'u.email_key',
          'u.email_verified_at',
        ])
        .where('k.key_hash', '=', keyHash)
        .executeTakeFirst()
      if (!row) return undefined
      return {
        key: toApiKeyRecord(row),
        owner: toUserRecord({
          id: row.user_id,
          username: row.username,
          username_key: row.username_key,
          password_hash: row.password_hash,
          roles: row.roles,
          disabled: row.disabled,
          created_at: row.owner_created_at,
          updated_at: row.owner_updated_at,
          email: row.email,
          email_key: row.email_key,
          email_verified_at: row.email_verified_at,
        }),
      }
    },
    async listForUser(userId, page) {
      const query = db.selectFrom('api_keys').selectAll().where('user_id', '=', userId)
      const rows = await query.$call(newestFirst('created_at', page)).execute()
      return rows.map(toApiKeyRecord)
    },
    async revoke(userId, id, at) {
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      return affectedRows(result) === 1
    },
    async revokeAllForUser(userId, at) {
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: at })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      return affectedRows(result)
    },
    async touch(id, at) {
      await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute()
    },
  }
}

function toApiKeyRecord(row: Selectable<Database['api_keys']>): ApiKeyRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    keyHash: row.key_hash,
    prefix: row.prefix,
    last4: row.last4,
    scopes: parseStringArray(row.scopes),
    createdAt: toNumber(row.created_at),
    lastUsedAt: toNullableNumber(row.last_used_at),
    expiresAt: toNullableNumber(row.expires_at),
    revokedAt: toNullableNumber(row.revoked_at),
  }
}
