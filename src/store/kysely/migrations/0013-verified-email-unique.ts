import { sql, type Kysely, type Migration } from 'kysely'

/**
 * An unverified address reserves nothing: uniqueness holds among verified addresses only
 * (a partial unique index), so someone who types another person's address cannot keep
 * its owner out. The plain index stays for lookups.
 */
export const verifiedEmailUnique: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.dropIndex('users_email_key').execute()
    await db.schema.createIndex('users_email_key').on('users').column('email_key').execute()
    await db.schema
      .createIndex('users_verified_email_key')
      .unique()
      .on('users')
      .column('email_key')
      .where(sql.ref('email_verified_at'), 'is not', null)
      .execute()
  },
}
