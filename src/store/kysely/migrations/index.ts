import type { Migration, MigrationProvider } from 'kysely'
import { initial } from './0001-initial.js'
import { sessions } from './0002-sessions.js'
import { machineAccess } from './0003-machine-access.js'
import { tokenContext } from './0004-token-context.js'
import { userEmail } from './0005-user-email.js'
import { mailQueue } from './0006-mail-queue.js'
import { emailTokens } from './0007-email-tokens.js'
import { emailTokenAddress } from './0008-email-token-address.js'
import { secondFactors } from './0009-second-factors.js'
import { passkeys } from './0010-passkeys.js'
import { apps } from './0011-apps.js'
import { browserSession } from './0012-browser-session.js'
import { verifiedEmailUnique } from './0013-verified-email-unique.js'

/** Ordered by name; never edit a migration once released, add a new one. */
const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-sessions': sessions,
  '0003-machine-access': machineAccess,
  '0004-token-context': tokenContext,
  '0005-user-email': userEmail,
  '0006-mail-queue': mailQueue,
  '0007-email-tokens': emailTokens,
  '0008-email-token-address': emailTokenAddress,
  '0009-second-factors': secondFactors,
  '0010-passkeys': passkeys,
  '0011-apps': apps,
  '0012-browser-session': browserSession,
  '0013-verified-email-unique': verifiedEmailUnique,
}

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
}
