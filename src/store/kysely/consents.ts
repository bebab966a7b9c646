import type { Kysely, Selectable } from 'kysely'
import type { ConsentRecord, ConsentStore } from '../store.js'
import type { Database } from './database.js'
import { newestFirst, toNumber } from './rows.js'
import { parseStringArray } from './users.js'

export function createConsentStore(db: Kysely<Database>): ConsentStore {
  return {
    async save(consent) {
      await db
        .insertInto('consents')
        .values({
          user_id: consent.userId,
          client_id: consent.clientId,
          scopes: JSON.stringify(consent.scopes),
          created_at: consent.createdAt,
          updated_at: consent.updatedAt,
        })
        .onConflict((oc) =>
          oc.columns(['user_id', 'client_id']).doUpdateSet({
            scopes: JSON.stringify(consent.scopes),
            updated_at: consent.updatedAt,
          }),
        )
        .execute()
    },

    async find(userId, clientId) {
      const row = await db
        .selectFrom('consents')
        .selectAll()
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .executeTakeFirst()
      return row && toConsentRecord(row)
    },

    async listForUser(userId, page) {
      const rows = await db
        .selectFrom('consents')
        .selectAll()
        .where('user_id', '=', userId)
        .$call(newestFirst('updated_at', page, 'client_id'))
        .execute()
      return rows.map(toConsentRecord)
    },

    async delete(userId, clientId) {
      const result = await db
        .deleteFrom('consents')
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .executeTakeFirst()
      return Number(result.numDeletedRows) === 1
    },
  }
}

function toConsentRecord(row: Selectable<Database['consents']>): ConsentRecord {
  return {
    userId: row.user_id,
    clientId: row.client_id,
    scopes: parseStringArray(row.scopes),
    createdAt: toNumber(row.created_at),
    updatedAt: toNumber(row.updated_at),
  }
}
