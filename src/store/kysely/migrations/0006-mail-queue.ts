import type { Kysely, Migration } from 'kysely'

/**
 * Mail waits here until an instance delivers it: sending never holds a request, and a
 * slow or failing SMTP server loses nothing. Without SMTP, messages stay as the outbox.
 */
export const mailQueue: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('mail_queue')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('to_address', 'varchar(254)', (c) => c.notNull())
      .addColumn('subject', 'varchar(256)', (c) => c.notNull())
      .addColumn('text_body', 'text', (c) => c.notNull())
      .addColumn('html_body', 'text', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('claimed_until', 'bigint')
      .addColumn('last_error', 'varchar(512)')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('sent_at', 'bigint')
      .execute()
    await db.schema
      .createIndex('mail_queue_due')
      .on('mail_queue')
      .columns(['status', 'next_attempt_at'])
      .execute()
  },
}
