import type { AuthDeps, EventHandlers, RecordedEvent } from '../../../auth/deps.js'
import { normalizeEmail } from '../../../auth/email-address.js'
import {
  emailChangedNotice,
  passwordChangedNotice,
  secondFactorNotice,
} from '../../../mail/templates.js'
import type { UserRecord } from '../../../store/store.js'
import { sendEmailVerification } from './email-verification.js'
import { sendSecurityNotice } from './mail.js'

/**
 * What the email capability does when other capabilities record events: the link to
 * verify a new sign-up's address, and the security notices to a verified address. Each
 * runs in the request that recorded the event, so the message is queued before the answer.
 */
export const emailReactions: EventHandlers = {
  user_created: [linkForNewSignUp],
  user_updated: [noticeToOldAddress],
  password_changed: [noticeOfPasswordChange],
  mfa_enrolled: [noticeOfFactorChange],
  mfa_removed: [noticeOfFactorChange],
  recovery_codes_regenerated: [noticeOfFactorChange],
  mfa_reset: [noticeOfFactorChange],
}

/** The user the event is about, as it was when recorded (or as the store has them now). */
async function userOf(deps: AuthDeps, event: RecordedEvent): Promise<UserRecord | undefined> {
  if (event.user) return event.user
  return event.userId === null ? undefined : deps.store.users.findById(event.userId)
}

/** A sign-up with an address gets its link from the queue: registration never waits for SMTP. */
async function linkForNewSignUp(deps: AuthDeps, event: RecordedEvent): Promise<void> {
  if (event.details['via'] !== 'register' || deps.settings.emailVerification === 'off') return
  const user = await userOf(deps, event)
  if (user?.email) await sendEmailVerification(deps, user, event.context)
}

/** An admin or the operator moved the address: its previous owner hears of it. */
async function noticeToOldAddress(deps: AuthDeps, event: RecordedEvent): Promise<void> {
  const before = event.user
  const next = event.details['email']
  if (!before || before.email === null || next === undefined) return
  if (typeof next === 'string' && normalizeEmail(next).key === before.emailKey) return
  await sendSecurityNotice(deps, before, (ctx) =>
    emailChangedNotice(ctx, typeof next === 'string' ? next : null, new Date(deps.clock.now())),
  )
}

async function noticeOfPasswordChange(deps: AuthDeps, event: RecordedEvent): Promise<void> {
  const user = await userOf(deps, event)
  if (!user) return
  const apiKeysRevoked = Number(event.details['api_keys_revoked'] ?? 0)
  await sendSecurityNotice(deps, user, (ctx) =>
    passwordChangedNotice(ctx, new Date(deps.clock.now()), 'changed', apiKeysRevoked),
  )
}

/** What changed among the second factors, in the notice's words. */
function factorChange(event: RecordedEvent): string | undefined {
  const name = typeof event.details['name'] === 'string' ? event.details['name'] : ''
  switch (event.type) {
    case 'mfa_enrolled':
      return event.details['type'] === 'passkey'
        ? `a passkey ("${name}") was added`
        : `an authenticator app ("${name}") was added as a second factor`
    case 'mfa_removed':
      return `the second factor "${name}" was removed`
    case 'recovery_codes_regenerated':
      return 'new recovery codes were made (the old ones no longer work)'
    case 'mfa_reset':
      return Number(event.details['factors_removed'] ?? 0) > 0
        ? 'an administrator removed every second factor of your account'
        : undefined
    default:
      return undefined
  }
}

async function noticeOfFactorChange(deps: AuthDeps, event: RecordedEvent): Promise<void> {
  const change = factorChange(event)
  const user = change === undefined ? undefined : await userOf(deps, event)
  if (!user || change === undefined) return
  await sendSecurityNotice(deps, user, (ctx) =>
    secondFactorNotice(ctx, change, new Date(deps.clock.now())),
  )
}
