import type { Kysely, Selectable } from 'kysely'
import type { AuditEventRecord, AuditEventType, AuditFilter, AuditStore } from '../store.js'
import type { Database } from './database.js'
import { newestFirst, oldestFirst, parseJsonObject, toNumber } from './rows.js'

export function createAuditStore(db: Kysely<Database>): AuditStore {
  return {
    async append(event) {
      await db
        .insertInto('audit_events')
        .values({
          id: event.id,
          type: event.type,
          user_id: event.userId,
          ip: event.ip,
          user_agent: event.userAgent,
          at: event.at,
          details: JSON.stringify(event.details),
        })
        .execute()
    },
    async list(filter, page) {
      const rows = await filtered(filter).$call(newestFirst('at', page)).execute()
      return rows.map(toAuditRecord)
    },
    async listOldestFirst(filter, page) {
      const rows = await filtered(filter).$call(oldestFirst('at', page)).execute()
      return rows.map(toAuditRecord)
    },
    async deleteBefore(at) {
      let deleted = 0
      for (;;) {
        // In batches, so a first clean-up of a large log never holds one long lock.
        const batch = db
          .selectFrom('audit_events')
          .select('id')
          .where('at', '<', at)
          .limit(DELETE_BATCH)
        const result = await db
          .deleteFrom('audit_events')
          .where('id', 'in', batch)
          .executeTakeFirst()
        const count = Number(result.numDeletedRows)
        deleted += count
        if (count < DELETE_BATCH) return deleted
      }
    },
  }

  function filtered(filter: AuditFilter) {
    let query = db.selectFrom('audit_events').selectAll()
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId)
    if (filter.type !== undefined) query = query.where('type', '=', filter.type)
    if (filter.since !== undefined) query = query.where('at', '>=', filter.since)
    if (filter.until !== undefined) query = query.where('at', '<', filter.until)
    return query
  }
}

const DELETE_BATCH = 5_000

function toAuditRecord(row: Selectable<Database['audit_events']>): AuditEventRecord {
  return {
    id: row.id,
    type: row.type as AuditEventType,
    userId: row.user_id,
    ip: row.ip,
    userAgent: row.user_agent,
    at: toNumber(row.at),
    details: parseJsonObject(row.details),
  }
}
