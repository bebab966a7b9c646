import { sql, type Kysely, type Migration } from 'kysely'

/**
 * Apps (OAuth 2.1 authorization code flow and OpenID Connect): what a client registers,
 * authorization codes, remembered consent, the scopes and authentication time of an
 * app's session, and signing keys in several rings (access tokens, and ID tokens per
 * algorithm), each with its own current and next key.
 */
export const apps: Migration = {
  async up(db: Kysely<unknown>) {
    const clients = [
      ['redirect_uris', 'text', '[]'],
      ['post_logout_redirect_uris', 'text', '[]'],
      // Clients registered before this migration used client credentials only.
      ['grant_types', 'varchar(256)', '["client_credentials"]'],
      ['token_endpoint_auth_method', 'varchar(32)', 'client_secret_basic'],
      ['id_token_alg', 'varchar(16)', 'RS256'],
    ] as const
    for (const [column, type, value] of clients) {
      await db.schema
        .alterTable('oauth_clients')
        .addColumn(column, type, (c) => c.notNull().defaultTo(value))
        .execute()
    }
    await db.schema
      .alterTable('oauth_clients')
      .addColumn('skip_consent', 'integer', (c) => c.notNull().defaultTo(0))
      .execute()

    // null: the user's own scopes (a /login session); else what the app was granted.
    await db.schema.alterTable('sessions').addColumn('scopes', 'text').execute()
    // null: the session's creation (a /login session authenticates when it opens).
    await db.schema.alterTable('sessions').addColumn('auth_time', 'bigint').execute()
    await db.schema
      .createIndex('sessions_user_client')
      .on('sessions')
      .columns(['user_id', 'client_id'])
      .execute()

    await db.schema
      .createTable('authorization_codes')
      .addColumn('code_hash', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('client_id', 'varchar(64)', (c) =>
        c.notNull().references('oauth_clients.id').onDelete('cascade'),
      )
      .addColumn('user_id', 'varchar(36)', (c) =>
        c.notNull().references('users.id').onDelete('cascade'),
      )
      .addColumn('redirect_uri', 'text', (c) => c.notNull())
      .addColumn('code_challenge', 'varchar(128)', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('nonce', 'text')
      .addColumn('auth_time', 'bigint', (c) => c.notNull())
      .addColumn('amr', 'varchar(256)', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      // The session the first exchange opened: a second use of the code ends it.
      .addColumn('session_id', 'varchar(36)')
      .addColumn('reused_at', 'bigint')
      .execute()

    await db.schema
      .createTable('consents')
      .addColumn('user_id', 'varchar(36)', (c) =>
        c.notNull().references('users.id').onDelete('cascade'),
      )
      .addColumn('client_id', 'varchar(64)', (c) =>
        c.notNull().references('oauth_clients.id').onDelete('cascade'),
      )
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('consents_pk', ['user_id', 'client_id'])
      .execute()

    // Keys before this migration signed access tokens.
    await db.schema
      .alterTable('signing_keys')
      .addColumn('ring', 'varchar(32)', (c) => c.notNull().defaultTo('access'))
      .execute()
    await db.schema.dropIndex('signing_keys_one_per_active_status').execute()
    await db.schema
      .createIndex('signing_keys_one_per_ring_and_status')
      .on('signing_keys')
      .columns(['ring', 'status'])
      .unique()
      .where(sql.ref('status'), 'in', sql`('current', 'next')`)
      .execute()
  },
}
