import type { AuthDeps, RequestContext } from '../../../auth/deps.js'
import { recordAudit } from '../../../auth/audit.js'
import { completeEmailChange } from './email-change.js'
import { invalidEmailToken, spendEmailToken } from './email-tokens.js'

/**
 * Spends a link sent to prove an address (once: concurrent tries get one success): the
 * current one (`verify`) or the new one of a change (`change`), which then replaces the
 * old. A `verify` link proves only the address it was sent to: after a change of address
 * it is worthless.
 * @throws GatehouseError `invalid_email_token`, `email_taken`
 */
export async function verifyEmail(
  deps: AuthDeps,
  token: string,
  context: RequestContext,
): Promise<void> {
  const spent = await spendEmailToken(deps, token, ['verify', 'change'])
  const user = await deps.store.users.findById(spent.userId)
  if (!user) throw invalidEmailToken()
  if (spent.purpose === 'change') return completeEmailChange(deps, user, spent, context)
  if (user.email === null || user.emailKey !== spent.emailKey) throw invalidEmailToken()
  if (user.emailVerifiedAt === null) {
    const result = await deps.store.users.setEmail(
      user.id,
      { email: user.email, emailKey: user.emailKey, verifiedAt: deps.clock.now() },
      deps.clock.now(),
    )
    if (result !== 'updated') throw invalidEmailToken()
  }
  await recordAudit(deps, 'email_verified', context, user.id, {})
}
