import type { Kysely, Selectable } from 'kysely'
import type { AuthorizationCodeRecord, AuthorizationCodeStore } from '../store.js'
import type { Database } from './database.js'
import { affectedRows, toNullableNumber, toNumber } from './rows.js'
import { parseStringArray } from './users.js'

export function createAuthorizationCodeStore(db: Kysely<Database>): AuthorizationCodeStore {
  return {
    async insert(code) {
      await db
        .insertInto('authorization_codes')
        .values({
          code_hash: code.codeHash,
          client_id: code.clientId,
          user_id: code.userId,
          redirect_uri: code.redirectUri,
          code_challenge: code.codeChallenge,
          scopes: JSON.stringify(code.scopes),
          nonce: code.nonce,
          auth_time: code.authTime,
          amr: JSON.stringify(code.amr),
          browser_session_id: code.browserSessionId,
          created_at: code.createdAt,
          expires_at: code.expiresAt,
          used_at: null,
          session_id: null,
          reused_at: null,
        })
        .execute()
    },

    async find(codeHash) {
      const row = await db
        .selectFrom('authorization_codes')
        .selectAll()
        .where('code_hash', '=', codeHash)
        .executeTakeFirst()
      return row && { code: toCodeRecord(row), usedAt: toNullableNumber(row.used_at) }
    },

    async spend(codeHash, at) {
      // The conditional update is the compare-and-set: one caller finds it unused.
      const result = await db
        .updateTable('authorization_codes')
        .set({ used_at: at })
        .where('code_hash', '=', codeHash)
        .where('used_at', 'is', null)
        .executeTakeFirst()
      return affectedRows(result) === 1
    },

    async markReused(codeHash, at) {
      const row = await db
        .updateTable('authorization_codes')
        .set({ reused_at: at })
        .where('code_hash', '=', codeHash)
        .returning('session_id')
        .executeTakeFirst()
      return row?.session_id ?? null
    },

    async attachSession(codeHash, sessionId) {
      const result = await db
        .updateTable('authorization_codes')
        .set({ session_id: sessionId })
        .where('code_hash', '=', codeHash)
        .where('reused_at', 'is', null)
        .executeTakeFirst()
      return affectedRows(result) === 1
    },

    async voidForUser(userId, clientId, at) {
      let query = db
        .updateTable('authorization_codes')
        .set((eb) => ({ used_at: eb.fn.coalesce('used_at', eb.val(at)), reused_at: at }))
        .where('user_id', '=', userId)
        .where('expires_at', '>', at)
        .where('reused_at', 'is', null)
      if (clientId !== null) query = query.where('client_id', '=', clientId)
      return affectedRows(await query.executeTakeFirst())
    },

    async purgeExpired(before) {
      const result = await db
        .deleteFrom('authorization_codes')
        .where('expires_at', '<', before)
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}

function toCodeRecord(row: Selectable<Database['authorization_codes']>): AuthorizationCodeRecord {
  return {
    codeHash: row.code_hash,
    clientId: row.client_id,
    userId: row.user_id,
    redirectUri: row.redirect_uri,
    codeChallenge: row.code_challenge,
    scopes: parseStringArray(row.scopes),
    nonce: row.nonce,
    authTime: toNumber(row.auth_time),
    amr: parseStringArray(row.amr),
    browserSessionId: row.browser_session_id,
    createdAt: toNumber(row.created_at),
    expiresAt: toNumber(row.expires_at),
  }
}
