import type { Kysely, Migration } from 'kysely'

/**
 * Second factors (TOTP now, passkeys later in the same table), recovery codes, and the
 * pending second step of a login (`mfa_token`).
 */
export const secondFactors: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('mfa_factors')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(36)', (c) =>
        c.notNull().references('users.id').onDelete('cascade'),
      )
      .addColumn('type', 'varchar(16)', (c) => c.notNull())
      .addColumn('name', 'varchar(100)', (c) => c.notNull())
      // TOTP: the base32 secret, sealed with the server secret (AES-256-GCM).
      .addColumn('secret_sealed', 'text')
      // TOTP: the last accepted time step; a step is accepted only above it (RFC 6238 §5.2).
      .addColumn('last_step', 'bigint')
      .addColumn('verified_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .execute()
    await db.schema.createIndex('mfa_factors_user').on('mfa_factors').column('user_id').execute()

    await db.schema
      .createTable('mfa_recovery_codes')
      .addColumn('code_hash', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(36)', (c) =>
        c.notNull().references('users.id').onDelete('cascade'),
      )
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute()
    await db.schema
      .createIndex('mfa_recovery_codes_user')
      .on('mfa_recovery_codes')
      .column('user_id')
      .execute()

    await db.schema
      .createTable('mfa_challenges')
      .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(36)', (c) =>
        c.notNull().references('users.id').onDelete('cascade'),
      )
      .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute()
  },
}
