import type { Auth } from './context.js'
import { NO_REQUEST, type ClusterEvent } from './deps.js'
import { recordAudit } from './audit.js'
import { loadRevocations } from './revocation.js'
import { refreshSigningKeys } from './signing-keys.js'

const DAY_MS = 86_400_000

/**
 * Periodic upkeep, safe on every instance: picks up keys rotated elsewhere, rotates when
 * the current key is older than the configured interval, reloads revocations the bus
 * could not bring (Redis down, or none), drops expired mailed links, second steps and
 * authorization codes,
 * and applies audit retention.
 */
export async function runMaintenance(auth: Auth): Promise<void> {
  await refreshSigningKeys(auth)
  const interval = auth.keyRotationInterval * 1000
  if (interval > 0 && auth.clock.now() - auth.keyRing.currentSince() >= interval) {
    const kids = await auth.keyRing.rotate()
    auth.bus.publish({ type: 'keys_changed' })
    await recordAudit(auth, 'signing_key_rotated', NO_REQUEST, null, { ...kids, automatic: true })
  }
  await loadRevocations(auth)
  await auth.store.emailTokens.purgeExpired(auth.clock.now())
  await auth.store.mfa.purgeExpiredChallenges(auth.clock.now())
  // Used codes are kept a day past their expiry, so a late replay still ends what the
  // first use issued (RFC 6749 §4.1.2) instead of looking like an unknown code.
  await auth.store.authorizationCodes.purgeExpired(auth.clock.now() - DAY_MS)
  if (auth.settings.auditRetentionDays > 0) {
    await auth.store.audit.deleteBefore(
      auth.clock.now() - auth.settings.auditRetentionDays * DAY_MS,
    )
  }
}

/** Applies what another instance published (revocations, key changes, evictions). */
export async function applyClusterEvent(auth: Auth, event: ClusterEvent): Promise<void> {
  switch (event.type) {
    case 'revoked':
      auth.revocations.add(event.entry, auth.clock.now())
      return
    case 'keys_changed':
      await refreshSigningKeys(auth)
      return
    case 'api_keys_evicted':
      auth.apiKeys.applyEviction(event)
      return
  }
}
