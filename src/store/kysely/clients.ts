import type { Kysely, Selectable } from 'kysely'
import type { OAuthClientRecord, OAuthClientStore } from '../store.js'
import type { Database } from './database.js'
import { newestFirst, toNumber } from './rows.js'
import { parseStringArray } from './users.js'

export function createOAuthClientStore(db: Kysely<Database>): OAuthClientStore {
  return {
    async insert(client) {
      await db
        .insertInto('oauth_clients')
        .values({
          id: client.id,
          name: client.name,
          secret_hash: client.secretHash,
          scopes: JSON.stringify(client.scopes),
          created_at: client.createdAt,
          introspect: client.introspect ? 1 : 0,
        })
        .execute()
    },
    async findById(id) {
      const row = await db
        .selectFrom('oauth_clients')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst()
      return row && toClientRecord(row)
    },
    async list(page) {
      const query = db.selectFrom('oauth_clients').selectAll()
      const rows = await query.$call(newestFirst('created_at', page)).execute()
      return rows.map(toClientRecord)
    },
    async delete(id) {
      const result = await db.deleteFrom('oauth_clients').where('id', '=', id).executeTakeFirst()
      return Number(result.numDeletedRows) === 1
    },
  }
}

function toClientRecord(row: Selectable<Database['oauth_clients']>): OAuthClientRecord {
  return {
    id: row.id,
    name: row.name,
    secretHash: row.secret_hash,
    scopes: parseStringArray(row.scopes),
    createdAt: toNumber(row.created_at),
    introspect: Number(row.introspect) === 1,
  }
}
