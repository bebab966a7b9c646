import { GatehouseError } from '../../../errors/index.js'
import type { EmailTokenPurpose, EmailTokenRecord } from '../../../store/store.js'
import {
  generateOpaqueToken,
  hashOpaqueToken,
  hasTokenShape,
  TOKEN_PREFIXES,
} from '../../../tokens/opaque-token.js'
import type { AuthDeps } from '../../../auth/deps.js'

/** The page each kind of link opens; opening it spends nothing. */
const PAGES: Record<EmailTokenPurpose, string> = {
  verify: 'verify-email',
  change: 'verify-email',
  reset: 'reset-password',
}

/**
 * Creates a token for a link (256 random bits, only its hash stored), replacing the user's
 * outstanding one of the same purpose, and returns the link that carries it.
 */
export async function issueEmailLink(
  deps: AuthDeps,
  userId: string,
  purpose: EmailTokenPurpose,
  address: { key: string; email?: string },
  ttlSeconds: number,
): Promise<string> {
  const token = generateOpaqueToken(TOKEN_PREFIXES.emailToken)
  const now = deps.clock.now()
  await deps.store.emailTokens.issue({
    tokenHash: hashOpaqueToken(token),
    userId,
    purpose,
    emailKey: address.key,
    email: address.email ?? null,
    createdAt: now,
    expiresAt: now + ttlSeconds * 1000,
  })
  return `${deps.settings.issuer}/ui/${PAGES[purpose]}?token=${encodeURIComponent(token)}`
}

export const invalidEmailToken = () => new GatehouseError('invalid_email_token')

/** The hash to look a presented token up by; a string that cannot be one is refused. */
export function emailTokenHash(token: string): string {
  if (!hasTokenShape(token, TOKEN_PREFIXES.emailToken)) throw invalidEmailToken()
  return hashOpaqueToken(token)
}

/**
 * Spends a live token of one of `purposes` (once: of concurrent calls, one wins). A token
 * of another purpose is refused and stays unspent.
 * @throws GatehouseError `invalid_email_token`
 */
export async function spendEmailToken(
  deps: AuthDeps,
  token: string,
  purposes: readonly EmailTokenPurpose[],
): Promise<EmailTokenRecord> {
  const hash = emailTokenHash(token)
  const now = deps.clock.now()
  const found = await deps.store.emailTokens.find(hash, now)
  if (!found || !purposes.includes(found.purpose)) throw invalidEmailToken()
  const spent = await deps.store.emailTokens.spend(hash, now)
  if (!spent) throw invalidEmailToken()
  return spent
}
