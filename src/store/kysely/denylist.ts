import type { Kysely } from 'kysely'
import type { DenylistEntry, DenylistStore } from '../store.js'
import type { Database } from './database.js'
import { toNumber } from './rows.js'

export function createDenylistStore(db: Kysely<Database>): DenylistStore {
  return {
    async add(entry, at) {
      await db
        .insertInto('denylist')
        .values({
          kind: entry.kind,
          value: entry.value,
          expires_at: entry.expiresAt,
          created_at: at,
        })
        .onConflict((oc) =>
          oc.columns(['kind', 'value']).doUpdateSet((eb) => ({
            expires_at: eb.fn('max', [
              eb.ref('denylist.expires_at'),
              eb.ref('excluded.expires_at'),
            ]),
          })),
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

function toKind(kind: string): DenylistEntry['kind'] {
  if (kind === 'jti' || kind === 'sid' || kind === 'sub') return kind
  throw new Error(`unknown denylist kind ${kind}`)
}
