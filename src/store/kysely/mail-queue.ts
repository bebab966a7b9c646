import { sql, type Kysely, type Selectable } from 'kysely'
import type { MailQueueStore, MailRecord, MailStatus } from '../store.js'
import type { Database } from './database.js'
import { toNumber } from './rows.js'

export function createMailQueueStore(db: Kysely<Database>): MailQueueStore {
  return {
    async enqueue(message) {
      await db
        .insertInto('mail_queue')
        .values({
          id: message.id,
          to_address: message.to,
          subject: message.subject,
          text_body: message.text,
          html_body: message.html,
          status: message.status,
          attempts: message.attempts,
          next_attempt_at: message.nextAttemptAt,
          claimed_until: null,
          last_error: message.lastError,
          created_at: message.createdAt,
          sent_at: message.sentAt,
        })
        .execute()
    },
    async claimDue(now, limit, leaseMs) {
      const candidates = await db
        .selectFrom('mail_queue')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute()
      const claimed: MailRecord[] = []
      for (const row of candidates) {
        // Compare-and-swap on the lease: of several instances, one wins each message.
        const result = await db
          .updateTable('mail_queue')
          .set({ claimed_until: now + leaseMs })
          .where('id', '=', row.id)
          .where('status', '=', 'pending')
          .where((eb) =>
            row.claimed_until === null
              ? eb('claimed_until', 'is', null)
              : eb('claimed_until', '=', row.claimed_until),
          )
          .executeTakeFirst()
        if (Number(result.numUpdatedRows) === 1) claimed.push(toMailRecord(row))
      }
      return claimed
    },
    async markSent(id, at) {
      await db
        .updateTable('mail_queue')
        .set({ status: 'sent', sent_at: at, claimed_until: null, attempts: sql`attempts + 1` })
        .where('id', '=', id)
        .execute()
    },
    async markAttemptFailed(id, error, nextAttemptAt) {
      await db
        .updateTable('mail_queue')
        .set({
          attempts: sql`attempts + 1`,
          last_error: error.slice(0, 512),
          claimed_until: null,
          ...(nextAttemptAt === null ? { status: 'failed' } : { next_attempt_at: nextAttemptAt }),
        })
        .where('id', '=', id)
        .execute()
    },
    async list(query, page) {
      let select = db.selectFrom('mail_queue').selectAll()
      if (query.status) select = select.where('status', '=', query.status)
      const rows = await select
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page.limit)
        .execute()
      return rows.map(toMailRecord)
    },
  }
}

function toMailRecord(row: Selectable<Database['mail_queue']>): MailRecord {
  return {
    id: row.id,
    to: row.to_address,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    status: row.status as MailStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: toNumber(row.next_attempt_at),
    lastError: row.last_error,
    createdAt: toNumber(row.created_at),
    sentAt: row.sent_at === null ? null : toNumber(row.sent_at),
  }
}
