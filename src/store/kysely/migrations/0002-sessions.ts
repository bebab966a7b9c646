import type { Kysely, Migration } from 'kysely'

/** Refresh rotation state, the revocation list and the audit log. */
export const sessions: Migration = {
  async up(db: Kysely<unknown>) {
    // A rotated token keeps its row: rotated_at and the successor's hash are what tell a
    // concurrent refresh (inside the reuse window) from a replayed stolen token.
    await db.schema.alterTable('refresh_tokens').addColumn('rotated_at', 'bigint').execute()
    await db.schema
      .alterTable('refresh_tokens')
      .addColumn('successor_hash', 'varchar(64)')
      .execute()

    await db.schema
      .createTable('denylist')
      .addColumn('kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('value', 'varchar(128)', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('denylist_pk', ['kind', 'value'])
      .execute()
    await db.schema.createIndex('denylist_expires_at').on('denylist').column('expires_at').execute()

    await db.schema
      .createTable('audit_events')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('type', 'varchar(64)', (c) => c.notNull())
      .addColumn('user_id', 'varchar(64)')
      .addColumn('ip', 'varchar(64)')
      .addColumn('user_agent', 'varchar(512)')
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute()
    await db.schema
      .createIndex('audit_events_user_at')
      .on('audit_events')
      .columns(['user_id', 'at'])
      .execute()
    await db.schema
      .createIndex('audit_events_type_at')
      .on('audit_events')
      .columns(['type', 'at'])
      .execute()
    await db.schema.createIndex('audit_events_at').on('audit_events').column('at').execute()
  },
}
