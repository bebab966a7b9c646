import type { Kysely, Migration } from 'kysely'

/**
 * An optional email per user: as given, its case-folded key (unique; NULLs never collide
 * in SQLite or PostgreSQL), and when it was verified.
 */
export const userEmail: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('users').addColumn('email', 'varchar(254)').execute()
    await db.schema.alterTable('users').addColumn('email_key', 'varchar(254)').execute()
    await db.schema.alterTable('users').addColumn('email_verified_at', 'bigint').execute()
    await db.schema
      .createIndex('users_email_key')
      .unique()
      .on('users')
      .column('email_key')
      .execute()
  },
}
