import type { Kysely } from 'kysely'
import type { EmailTokenPurpose, EmailTokenStore } from '../store.js'
import type { Database } from './database.js'
import { toNumber } from './rows.js'

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
      if (!row) return undefined
      return {
        tokenHash: row.token_hash,
        userId: row.user_id,
        purpose: row.purpose as EmailTokenPurpose,
        emailKey: row.email_key,
        createdAt: toNumber(row.created_at),
        expiresAt: toNumber(row.expires_at),
      }
    },
    async deleteForUser(userId) {
      await db.deleteFrom('email_tokens').where('user_id', '=', userId).execute()
    },
  }
}
