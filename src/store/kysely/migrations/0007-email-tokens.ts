import type { Kysely, Migration } from 'kysely'

/**
 * Single-use tokens sent by mail (verify an address; later reset a password, change an
 * address): stored hashed, one outstanding per user and purpose.
 */
export const emailTokens: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('email_tokens')
      .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(36)', (c) =>
        c.notNull().references('users.id').onDelete('cascade'),
      )
      .addColumn('purpose', 'varchar(16)', (c) => c.notNull())
      .addColumn('email_key', 'varchar(254)', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('email_tokens_one_per_purpose')
      .unique()
      .on('email_tokens')
      .columns(['user_id', 'purpose'])
      .execute()
  },
}
