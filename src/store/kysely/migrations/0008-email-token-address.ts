import type { Kysely, Migration } from 'kysely'

/**
 * A token to change an address carries the new address as the person wrote it: it
 * replaces the old one only when the link is spent. Other tokens leave it null.
 */
export const emailTokenAddress: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('email_tokens').addColumn('email', 'varchar(254)').execute()
  },
}
