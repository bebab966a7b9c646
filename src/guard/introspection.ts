import { LRUCache } from 'lru-cache'
import type { Clock } from '../clock.js'
import type { AccessTokenClaims } from '../tokens/access-token.js'

export interface IntrospectionOptions {
  /** The server's `/oauth/introspect` URL. */
  url: string
  /** An OAuth client of the Gatehouse server (introspection is client-authenticated). */
  clientId: string
  clientSecret: string
  /** Seconds an answer is trusted: the bound on how late a revocation is seen. Default 30. */
  cacheTtl?: number
  /** Give up after this many milliseconds. Default 2,000. */
  timeout?: number
  fetch?: typeof fetch
}

/**
 * Revocation awareness through RFC 7662 introspection: one request per token per cacheTtl.
 * If the server cannot be asked, the token is accepted: availability over a revocation
 * the signature alone cannot show (docs/guard.md, "Revocation in resource servers").
 */
export function createIntrospectionCheck(
  options: IntrospectionOptions,
  clock: Clock,
): (token: string, claims: AccessTokenClaims) => boolean | Promise<boolean> {
  const ttl = (options.cacheTtl ?? 30) * 1000
  const cache = new LRUCache<string, { active: boolean; until: number }>({ max: 10_000 })
  const authorization = `Basic ${Buffer.from(
    `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`,
  ).toString('base64')}`
  const fetchImpl = options.fetch ?? fetch

  async function ask(token: string, claims: AccessTokenClaims): Promise<boolean> {
    let active = true
    try {
      const response = await fetchImpl(options.url, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
        signal: AbortSignal.timeout(options.timeout ?? 2_000),
      })
      if (response.ok) active = ((await response.json()) as { active?: unknown }).active === true
    } catch {
      active = true
    }
    cache.set(claims.jti, { active, until: Math.min(clock.now() + ttl, claims.exp * 1000) })
    return active
  }

  return (token, claims) => {
    const hit = cache.get(claims.jti)
    if (hit !== undefined && clock.now() < hit.until) return hit.active
    return ask(token, claims)
  }
}
