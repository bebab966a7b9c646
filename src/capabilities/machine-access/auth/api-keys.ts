import { LRUCache } from 'lru-cache'
import { GatehouseError } from '../../../errors/index.js'
import { newId } from '../../../ids.js'
import type { ApiKeyRecord } from '../../../store/store.js'
import type { AccessTokenClaims } from '../../../tokens/access-token.js'
import type { Principal } from '../../../tokens/principal.js'
import {
  generateChecksummedSecret,
  hashOpaqueToken,
  hasValidChecksum,
  TOKEN_PREFIXES,
} from '../../../tokens/opaque-token.js'
import { recordAudit } from '../../../auth/audit.js'
import { assertSecondFactorIfEnrolled } from '../../../auth/step-up.js'
import { normalizeDisplayName } from '../../../auth/display-name.js'
import type { AuthDeps, RequestContext } from '../../../auth/deps.js'
import { paginate, type Page, type PageRequest } from '../../../auth/pagination.js'
import { DEFAULT_USER_SCOPES } from '../../../auth/rbac.js'
import { narrowScopes, normalizeScopes } from './scopes.js'

export interface CreateApiKeyInput {
  name: string
  scopes?: readonly string[] | undefined
  /** Seconds until the key expires; none means it does not expire. */
  expiresIn?: number | undefined
}

export interface ApiKeyView {
  id: string
  name: string
  prefix: string
  last4: string
  scopes: string[]
  createdAt: number
  lastUsedAt: number | null
  expiresAt: number | null
}

export interface CreatedApiKey extends ApiKeyView {
  /** The key itself, shown this once. */
  key: string
}

const MAX_EXPIRES_IN = 5 * 365 * 24 * 3600

/** Keys carry scopes, never roles: administration always needs a user's own login. */
export async function createApiKey(
  deps: AuthDeps,
  owner: AccessTokenClaims,
  input: CreateApiKeyInput,
  context: RequestContext,
): Promise<CreatedApiKey> {
  if (!owner.fresh) throw new GatehouseError('fresh_token_required')
  await assertSecondFactorIfEnrolled(deps, owner, 'create an API key')
  const name = normalizeDisplayName(input.name)
  const scopes = narrowScopes(
    input.scopes === undefined ? undefined : normalizeScopes(input.scopes),
    DEFAULT_USER_SCOPES,
  )
  if (input.expiresIn !== undefined && (input.expiresIn < 60 || input.expiresIn > MAX_EXPIRES_IN)) {
    throw new GatehouseError(
      'invalid_request',
      `expires_in must be between 60 and ${MAX_EXPIRES_IN} seconds`,
    )
  }
  const now = deps.clock.now()
  const key = generateChecksummedSecret(TOKEN_PREFIXES.apiKey)
  const record: ApiKeyRecord = {
    id: newId(),
    userId: owner.sub,
    name,
    keyHash: hashOpaqueToken(key),
    prefix: key.slice(0, TOKEN_PREFIXES.apiKey.length + 4),
    last4: key.slice(-4),
    scopes,
    createdAt: now,
    lastUsedAt: null,
    expiresAt: input.expiresIn === undefined ? null : now + input.expiresIn * 1000,
    revokedAt: null,
  }
  await deps.store.apiKeys.insert(record)
  await recordAudit(deps, 'api_key_created', context, owner.sub, { api_key_id: record.id, name })
  return { ...toApiKeyView(record), key }
}

export function listApiKeys(
  deps: AuthDeps,
  owner: AccessTokenClaims,
  request: PageRequest,
): Promise<Page<ApiKeyView>> {
  return paginate(
    request,
    (page) => deps.store.apiKeys.listForUser(owner.sub, page),
    (key) => ({ at: key.createdAt, id: key.id }),
    toApiKeyView,
  )
}

function toApiKeyView(record: ApiKeyRecord): ApiKeyView {
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    last4: record.last4,
    scopes: record.scopes,
    createdAt: record.createdAt,
    lastUsedAt: record.lastUsedAt,
    expiresAt: record.expiresAt,
  }
}

/**
 * Revokes every API key of a user, in the store and in every instance's cache (the bus
 * carries the eviction). Returns how many keys were revoked.
 */
export async function revokeAllApiKeysOf(
  deps: AuthDeps & { apiKeys: Pick<ApiKeyAuthenticator, 'forgetOwner'> },
  userId: string,
): Promise<number> {
  const revoked = await deps.store.apiKeys.revokeAllForUser(userId, deps.clock.now())
  deps.apiKeys.forgetOwner(userId)
  return revoked
}

interface CachedKey {
  principal: Principal
  ownerId: string
  expiresAt: number | null
}

export interface ApiKeyAuthenticator {
  /** Principal for an API key: synchronous when cached, a promise otherwise. */
  authenticate(key: string): Principal | Promise<Principal>
  revoke(owner: AccessTokenClaims | string, id: string, context: RequestContext): Promise<void>
  /** Drops every cached key of a user (disabled, deleted), here and on other instances. */
  forgetOwner(userId: string): void
  /** Applies another instance's eviction to this one's cache. */
  applyEviction(event: { keyId?: string | undefined; ownerId?: string | undefined }): void
}

/** How long a verified key is trusted without re-reading the store (bounds staleness). */
const CACHE_TTL_MS = 30_000

/**
 * API-key verification with a bounded cache: a repeated key costs a hash and a map
 * lookup. Revocation and disabling the owner evict the key here at once; other instances
 * see it within the cache TTL. Mistyped keys fail the checksum before any lookup.
 */
export function createApiKeyAuthenticator(deps: AuthDeps): ApiKeyAuthenticator {
  const cache = new LRUCache<string, CachedKey>({ max: 10_000, ttl: CACHE_TTL_MS })

  function evict(matches: (entry: CachedKey) => boolean): void {
    const doomed = [...cache.entries()].filter(([, entry]) => matches(entry)).map(([hash]) => hash)
    for (const hash of doomed) cache.delete(hash)
  }

  async function load(keyHash: string): Promise<Principal> {
    const found = await deps.store.apiKeys.findByHash(keyHash)
    const now = deps.clock.now()
    if (!found || found.key.revokedAt !== null || found.owner.disabled) {
      throw new GatehouseError('invalid_token', 'Invalid API key')
    }
    const { key, owner } = found
    if (key.expiresAt !== null && now >= key.expiresAt) throw new GatehouseError('token_expired')
    // A key never holds more than its owner does now.
    const scopes = key.scopes.filter((scope) => DEFAULT_USER_SCOPES.includes(scope))
    const principal: Principal = {
      iss: deps.settings.issuer,
      aud: deps.settings.audience,
      sub: owner.id,
      username: owner.username,
      roles: [],
      scope: scopes.join(' '),
      iat: Math.floor(key.createdAt / 1000),
      exp: Math.floor((key.expiresAt ?? now + CACHE_TTL_MS) / 1000),
      jti: `api_key:${key.id}`,
      fresh: false,
      kind: 'api_key',
      apiKeyId: key.id,
      expires: key.expiresAt !== null,
    }
    cache.set(keyHash, { principal, ownerId: owner.id, expiresAt: key.expiresAt })
    await deps.store.apiKeys.touch(key.id, now)
    return principal
  }

  return {
    authenticate(key) {
      if (!hasValidChecksum(key, TOKEN_PREFIXES.apiKey)) {
        throw new GatehouseError('invalid_token', 'Invalid API key')
      }
      const keyHash = hashOpaqueToken(key)
      const hit = cache.get(keyHash)
      if (hit === undefined) return load(keyHash)
      if (hit.expiresAt !== null && deps.clock.now() >= hit.expiresAt) {
        cache.delete(keyHash)
        throw new GatehouseError('token_expired')
      }
      return hit.principal
    },
    async revoke(owner, id, context) {
      const ownerId = typeof owner === 'string' ? owner : owner.sub
      if (!(await deps.store.apiKeys.revoke(ownerId, id, deps.clock.now()))) {
        throw new GatehouseError('not_found', 'No such API key')
      }
      evict((entry) => entry.principal.apiKeyId === id)
      deps.bus.publish({ type: 'api_keys_evicted', keyId: id })
      await recordAudit(deps, 'api_key_revoked', context, ownerId, { api_key_id: id })
    },
    forgetOwner(userId) {
      evict((entry) => entry.ownerId === userId)
      deps.bus.publish({ type: 'api_keys_evicted', ownerId: userId })
    },
    applyEviction({ keyId, ownerId }) {
      evict((entry) => entry.principal.apiKeyId === keyId || entry.ownerId === ownerId)
    },
  }
}

/** Revokes one of the owner's keys; here at once, elsewhere as soon as they hear. */
export function revokeApiKey(
  auth: { apiKeys: ApiKeyAuthenticator },
  owner: AccessTokenClaims,
  id: string,
  context: RequestContext,
): Promise<void> {
  return auth.apiKeys.revoke(owner, id, context)
}
