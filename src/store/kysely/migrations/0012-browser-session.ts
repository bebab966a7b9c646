import type { Kysely, Migration } from 'kysely'

/**
 * The browser session an app's sign-in came from (OIDC `sid`): kept with the
 * authorization code and with the app's session, so every ID token names it and
 * RP-initiated logout can tell a hint of the current session from an older one.
 */
export const browserSession: Migration = {
  async up(db: Kysely<unknown>) {
    for (const table of ['authorization_codes', 'sessions']) {
      await db.schema.alterTable(table).addColumn('browser_session_id', 'varchar(36)').execute()
    }
  },
}
