import { sql, type Kysely } from 'kysely'
import type { RevocationEntry, RevocationStore } from '../store.js'
import type { Database } from './database.js'
import { toNumber } from './rows.js'

export function createRevocationStore(db: Kysely<Database>): RevocationStore {
  return {
    async add(entry, at) {
      await db
        .insertInto('denylist')
        .values({
          kind: entry.kind,
          value: entry.value,
          expires_at: entry.expiresAt,
          created_at: at,
          before: entry.before ?? null,
        })
        // Merge with an existing entry: the later expiry, and the wider cut-off (NULL
        // means every token). CASE rather than max()/greatest(), which differ by dialect.
        .onConflict((oc) =>
          oc.columns(['kind', 'value']).doUpdateSet({
            expires_at: sql<number>`case when excluded.expires_at > denylist.expires_at
              then excluded.expires_at else denylist.expires_at end`,
            before: sql<string | null>`case
              when denylist.before is null or excluded.before is null then null
              when excluded.before > denylist.before then excluded.before
              else denylist.before end`,
          }),
        )
        .execute()
    },
    async listActive(now) {
      const rows = await db
        .selectFrom('denylist')
        .select(['kind', 'value', 'expires_at', 'before'])
        .where('expires_at', '>', now)
        .execute()
      return rows.map((row) => ({
        kind: toKind(row.kind),
        value: row.value,
        expiresAt: toNumber(row.expires_at),
        ...(row.before !== null && { before: row.before }),
      }))
    },
    async purgeExpired(now) {
      const result = await db
        .deleteFrom('denylist')
        .where('expires_at', '<=', now)
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}

function toKind(kind: string): RevocationEntry['kind'] {
  if (kind === 'jti' || kind === 'sid' || kind === 'sub') return kind
  throw new Error(`unknown denylist kind ${kind}`)
}
