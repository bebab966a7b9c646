import type { Kysely, Migration } from 'kysely'

/** API keys, OAuth clients, and subject-wide revocation cut-offs. */
export const machineAccess: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(64)', (c) =>
        c.notNull().references('users.id').onDelete('cascade'),
      )
      .addColumn('name', 'varchar(128)', (c) => c.notNull())
      .addColumn('key_hash', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('prefix', 'varchar(32)', (c) => c.notNull())
      .addColumn('last4', 'varchar(8)', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .addColumn('expires_at', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .execute()
    await db.schema
      .createIndex('api_keys_user_created')
      .on('api_keys')
      .columns(['user_id', 'created_at'])
      .execute()

    await db.schema
      .createTable('oauth_clients')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('name', 'varchar(128)', (c) => c.notNull())
      .addColumn('secret_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute()

    // For kind 'sub': only tokens whose (time-ordered) jti sorts before this are revoked,
    // so tokens issued after a role change keep working.
    await db.schema.alterTable('denylist').addColumn('before', 'varchar(64)').execute()
  },
}
