import type { Kysely, Migration } from 'kysely'

/**
 * What a session's tokens must say about it (RFC 9068 §2.2 `client_id`, RFC 8176 `amr`),
 * and which clients may introspect tokens.
 */
export const tokenContext: Migration = {
  async up(db: Kysely<unknown>) {
    // Sessions opened before this migration were password logins to the first-party client.
    await db.schema
      .alterTable('sessions')
      .addColumn('client_id', 'varchar(64)', (c) => c.notNull().defaultTo('gatehouse'))
      .execute()
    await db.schema
      .alterTable('sessions')
      .addColumn('amr', 'varchar(256)', (c) => c.notNull().defaultTo('["pwd"]'))
      .execute()
    await db.schema
      .alterTable('oauth_clients')
      .addColumn('introspect', 'integer', (c) => c.notNull().defaultTo(0))
      .execute()
  },
}
