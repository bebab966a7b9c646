import type { Kysely, Migration } from 'kysely'

/**
 * Passkeys: a second factor (or a sign-in on its own) in `mfa_factors`, with the WebAuthn
 * credential, and the challenges of WebAuthn ceremonies in progress (each spent once).
 */
export const passkeys: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('mfa_factors').addColumn('credential_id', 'varchar(1024)').execute()
    await db.schema.alterTable('mfa_factors').addColumn('public_key', 'text').execute()
    await db.schema.alterTable('mfa_factors').addColumn('counter', 'bigint').execute()
    await db.schema.alterTable('mfa_factors').addColumn('transports', 'varchar(256)').execute()
    await db.schema
      .createIndex('mfa_factors_credential')
      .unique()
      .on('mfa_factors')
      .column('credential_id')
      .execute()
    await db.schema
      .createTable('webauthn_flows')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(36)', (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('purpose', 'varchar(16)', (c) => c.notNull())
      .addColumn('challenge', 'varchar(256)', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute()
  },
}
