import { sql, type Kysely, type Selectable } from 'kysely'
import type { NewRefreshToken, RefreshTokenRecord, SessionRecord, SessionStore } from '../store.js'
import type { Database, SqlDialect } from './database.js'
import { affectedRows, newestFirst, toNullableNumber, toNumber } from './rows.js'
import { parseStringArray } from './users.js'

export function createSessionStore(db: Kysely<Database>, dialect: SqlDialect): SessionStore {
  return {
    async create(session, firstToken) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('sessions').values(toSessionRow(session)).execute()
        await trx.insertInto('refresh_tokens').values(toTokenRow(firstToken)).execute()
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

    async findRefreshToken(tokenHash) {
      // One round trip: the token with its session.
      const row = await db
        .selectFrom('refresh_tokens as t')
        .innerJoin('sessions as s', 's.id', 't.session_id')
        .selectAll('s')
        .select([
          't.token_hash',
          't.created_at as token_created_at',
          't.expires_at as token_expires_at',
          't.rotated_at',
          't.successor_hash',
        ])
        .where('t.token_hash', '=', tokenHash)
        .executeTakeFirst()
      if (!row) return undefined
      return {
        token: toTokenRecord({
          token_hash: row.token_hash,
          session_id: row.id,
          created_at: row.token_created_at,
          expires_at: row.token_expires_at,
          rotated_at: row.rotated_at,
          successor_hash: row.successor_hash,
        }),
        session: toSessionRecord(row),
      }
    },

    async rotate(tokenHash, successor, at) {
      if (dialect === 'postgres') return rotateInOneStatement(db, tokenHash, successor, at)
      return db.transaction().execute(async (trx) => {
        // The conditional update is the compare-and-swap: SQLite serialises writes, so only
        // one caller finds the row still unrotated.
        const swapped = await trx
          .updateTable('refresh_tokens')
          .set({ rotated_at: at, successor_hash: successor.tokenHash })
          .where('token_hash', '=', tokenHash)
          .where('rotated_at', 'is', null)
          .executeTakeFirst()
        if (affectedRows(swapped) !== 1) return false
        await trx.insertInto('refresh_tokens').values(toTokenRow(successor)).execute()
        await trx
          .updateTable('sessions')
          .set({ last_used_at: at })
          .where('id', '=', successor.sessionId)
          .execute()
        return true
      })
    },

    async revoke(id, at) {
      const result = await db
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      return affectedRows(result) === 1
    },

    async revokeAllForUser(userId, at, exceptSessionId) {
      let query = db
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
      if (exceptSessionId !== undefined) query = query.where('id', '!=', exceptSessionId)
      const rows = await query.returning('id').execute()
      return rows.map((row) => row.id)
    },

    async revokeAllForUserAndClient(userId, clientId, at) {
      const rows = await db
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .where('revoked_at', 'is', null)
        .returning('id')
        .execute()
      return rows.map((row) => row.id)
    },

    async revokeAllForClient(clientId, at) {
      const rows = await db
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('client_id', '=', clientId)
        .where('revoked_at', 'is', null)
        .returning('id')
        .execute()
      return rows.map((row) => row.id)
    },

    async listActiveForUser(userId, now, page) {
      const query = db
        .selectFrom('sessions')
        .selectAll()
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
      const rows = await query.$call(newestFirst('created_at', page)).execute()
      return rows.map(toSessionRecord)
    },
  }
}

function toSessionRow(session: SessionRecord): Database['sessions'] {
  return {
    id: session.id,
    user_id: session.userId,
    created_at: session.createdAt,
    last_used_at: session.lastUsedAt,
    expires_at: session.expiresAt,
    ip: session.ip,
    user_agent: session.userAgent,
    revoked_at: session.revokedAt,
    client_id: session.clientId,
    amr: JSON.stringify(session.amr),
    scopes: session.scopes === null ? null : JSON.stringify(session.scopes),
    // A /login session authenticated when it opened: no need to say it twice.
    auth_time: session.authTime === session.createdAt ? null : session.authTime,
    browser_session_id: session.browserSessionId,
  }
}

function toSessionRecord(row: Selectable<Database['sessions']>): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: toNumber(row.created_at),
    lastUsedAt: toNumber(row.last_used_at),
    expiresAt: toNumber(row.expires_at),
    ip: row.ip,
    userAgent: row.user_agent,
    revokedAt: toNullableNumber(row.revoked_at),
    clientId: row.client_id,
    amr: parseStringArray(row.amr),
    scopes: row.scopes === null ? null : parseStringArray(row.scopes),
    authTime: toNullableNumber(row.auth_time) ?? toNumber(row.created_at),
    browserSessionId: row.browser_session_id,
  }
}

/**
 * PostgreSQL: the same compare-and-swap, successor and session touch as one statement
 * (data-modifying CTEs), one round trip where the transaction takes five. A refresh's cost
 * on PostgreSQL is mostly its round trips (docs/performance.md). The conditional UPDATE
 * takes the row lock: a concurrent rotation waits for it, finds `rotated_at` set and
 * changes nothing, so the successor and the touch happen only with the swap.
 */
async function rotateInOneStatement(
  db: Kysely<Database>,
  tokenHash: string,
  successor: NewRefreshToken,
  at: number,
): Promise<boolean> {
  const { rows } = await sql<{ swapped: number }>`
    WITH swapped AS (
      UPDATE refresh_tokens SET rotated_at = ${at}, successor_hash = ${successor.tokenHash}
      WHERE token_hash = ${tokenHash} AND rotated_at IS NULL
      RETURNING session_id
    ), inserted AS (
      INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at)
      SELECT ${successor.tokenHash}::varchar, ${successor.sessionId}::varchar,
        ${successor.createdAt}::bigint, ${successor.expiresAt}::bigint
      FROM swapped
    ), touched AS (
      UPDATE sessions SET last_used_at = ${at}
      WHERE id = ${successor.sessionId} AND EXISTS (SELECT 1 FROM swapped)
    )
    SELECT count(*)::int AS swapped FROM swapped
  `.execute(db)
  return rows[0]?.swapped === 1
}

function toTokenRow(token: NewRefreshToken): Database['refresh_tokens'] {
  return {
    token_hash: token.tokenHash,
    session_id: token.sessionId,
    created_at: token.createdAt,
    expires_at: token.expiresAt,
    rotated_at: null,
    successor_hash: null,
  }
}

function toTokenRecord(row: Selectable<Database['refresh_tokens']>): RefreshTokenRecord {
  return {
    tokenHash: row.token_hash,
    sessionId: row.session_id,
    createdAt: toNumber(row.created_at),
    expiresAt: toNumber(row.expires_at),
    rotatedAt: toNullableNumber(row.rotated_at),
    successorHash: row.successor_hash,
  }
}
