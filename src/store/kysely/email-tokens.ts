import type { Kysely, Selectable } from 'kysely'
import type { EmailTokenPurpose, EmailTokenRecord, EmailTokenStore } from '../store.js'
import type { Database } from './database.js'
import { toNumber } from './rows.js'

type EmailTokenRow = Selectable<Database['email_tokens']>

function toRecord(row: EmailTokenRow): EmailTokenRecord {
  return {
    tokenHash: row.token_hash,
    userId: row.user_id,
    purpose: row.purpose as EmailTokenPurpose,
    emailKey: row.email_key,
    email: row.email,
    createdAt: toNumber(row.created_at),
    expiresAt: toNumber(row.expires_at),
  }
}

export function createEmailTokenStore(db: Kysely<Database>): EmailTokenStore {
  return {
    async issue(token) {
      await db.transaction().execute(async (tx) => {
        await tx
          .deleteFrom('email_tokens')
          .where('user_id', '=', token.userId)
          .where('purpose', '=', token.purpose)
          .execute()
        await tx
          .insertInto('email_tokens')
          .values({
            token_hash: token.tokenHash,
            user_id: token.userId,
            purpose: token.purpose,
            email_key: token.emailKey,
            email: token.email,
            created_at: token.createdAt,
            expires_at: token.expiresAt,
          })
          .execute()
      })
    },
    async spend(tokenHash, now) {
      // Deleting is spending: the one delete that finds the row wins.
      const row = await db
        .deleteFrom('email_tokens')
        .where('token_hash', '=', tokenHash)
        .where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst()
      return row ? toRecord(row) : undefined
    },
    async find(tokenHash, now) {
      const row = await db
        .selectFrom('email_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .where('expires_at', '>', now)
        .executeTakeFirst()
      return row ? toRecord(row) : undefined
    },
    async outstanding(userId, purpose, now) {
      const row = await db
        .selectFrom('email_tokens')
        .selectAll()
        .where('user_id', '=', userId)
        .where('purpose', '=', purpose)
        .where('expires_at', '>', now)
        .executeTakeFirst()
      return row ? toRecord(row) : undefined
    },
    async deleteForUser(userId) {
      await db.deleteFrom('email_tokens').where('user_id', '=', userId).execute()
    },
    async purgeExpired(now) {
      const result = await db
        .deleteFrom('email_tokens')
        .where('expires_at', '<=', now)
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}
