import { assertFreshActor, actorId, type Actor } from '../../../auth/actor.js'
import { recordAudit } from '../../../auth/audit.js'
import type { Auth } from '../../../auth/context.js'
import { NO_REQUEST, type RequestContext } from '../../../auth/deps.js'
import type { Jwks } from './key-ring.js'

export interface SigningKeyView {
  kid: string
  alg: string
  status: string
  /** `access_token` (these keys also sign ID tokens of their algorithm) or `id_token`. */
  use: string
  createdAt: number
}

export function listSigningKeys(auth: Auth): SigningKeyView[] {
  return auth.keyRing.list()
}

/** The published JWKS (current, next and not-yet-expired retired keys), as last read. */
export function jwks(auth: Auth): Jwks {
  return auth.keyRing.jwks()
}

/** How stale this instance's copy of the keys may be when it answers for the JWKS. */
const JWKS_FRESHNESS_MS = 1_000

/**
 * The JWKS as the store has it now: a ring another instance just created (the ID-token
 * keys of a new app) is published here before the key poll or the bus would bring it. At
 * most one store read a second, whatever the traffic; verification never waits for it.
 */
export async function currentJwks(auth: Auth): Promise<Jwks> {
  await withVanishedKeysForgotten(auth, () => auth.keyRing.refreshIfStale(JWKS_FRESHNESS_MS))
  return auth.keyRing.jwks()
}

/** Promotes the published next key and publishes a new next key; every instance hears. */
export async function rotateSigningKeys(
  auth: Auth,
  actor: Actor,
  context: RequestContext,
): Promise<{ current: string; next: string }> {
  assertFreshActor(actor)
  const kids = await auth.keyRing.rotate()
  auth.bus.publish({ type: 'keys_changed' })
  await recordAudit(auth, 'signing_key_rotated', context, actorId(actor), kids)
  return kids
}

/**
 * Pulls a compromised signing key: out of the JWKS and refused for every token it signed,
 * here at once (the verified-token cache is emptied) and on other instances as soon as
 * they hear (Redis or the primary: at once; otherwise at their next upkeep).
 */
export async function revokeSigningKey(
  auth: Auth,
  kid: string,
  actor: Actor,
  context: RequestContext,
): Promise<{ current: string; next: string }> {
  assertFreshActor(actor)
  const kids = await auth.keyRing.revoke(kid)
  auth.verifier.clear()
  auth.bus.publish({ type: 'keys_changed' })
  await recordAudit(auth, 'signing_key_revoked', context, actorId(actor), { kid, ...kids })
  return kids
}

/**
 * Re-reads the keys; when a kid vanished (revoked, or retired for good) tokens it signed
 * must not live on in the verified-token cache.
 */
export function refreshSigningKeys(auth: Auth): Promise<void> {
  return withVanishedKeysForgotten(auth, () => auth.keyRing.refresh())
}

async function withVanishedKeysForgotten(auth: Auth, reread: () => Promise<void>) {
  const before = auth.keyRing.list().map((key) => key.kid)
  await reread()
  const after = new Set(auth.keyRing.list().map((key) => key.kid))
  if (before.some((kid) => !after.has(kid))) auth.verifier.clear()
}

/**
 * Upkeep: picks up keys rotated elsewhere, and rotates when the current key is older than
 * the configured interval (`GATEHOUSE_KEY_ROTATION_INTERVAL`; 0 never).
 */
export async function keepSigningKeys(auth: Auth): Promise<void> {
  await refreshSigningKeys(auth)
  const interval = auth.keyRotationInterval * 1000
  if (interval > 0 && auth.clock.now() - auth.keyRing.currentSince() >= interval) {
    const kids = await auth.keyRing.rotate()
    auth.bus.publish({ type: 'keys_changed' })
    await recordAudit(auth, 'signing_key_rotated', NO_REQUEST, null, { ...kids, automatic: true })
  }
}
