import { parseBearerHeader } from '../bearer.js'
import { hasRoles, hasScopes } from '../permissions.js'
import type { Clock } from '../clock.js'
import { GatehouseError } from '../errors/index.js'
import { createAccessTokenVerifier, type AccessTokenClaims } from '../tokens/access-token.js'
import { toGuardErrorResponse, type ErrorMode, type GuardErrorResponse } from './errors.js'
import { createIntrospectionCheck, type IntrospectionOptions } from './introspection.js'
import {
  createLocalKeySource,
  createRemoteKeySource,
  type KeySource,
  type RemoteKeySourceOptions,
} from './key-source.js'

/** The claims of a Gatehouse access token (RFC 9068 profile). */
export type GatehouseClaims = AccessTokenClaims

export interface GuardOptions<Extra extends object = object> {
  /** Expected `iss`: the Gatehouse base URL. Required. */
  issuer: string
  /** Expected `aud` (Gatehouse's `GATEHOUSE_AUDIENCE`). Required. */
  audience: string
  /** JWKS URL, usually `${issuer}/.well-known/jwks.json`. One of jwksUri and jwks. */
  jwksUri?: string
  /** A JWKS held locally instead of fetched. */
  jwks?: { keys: unknown[] }
  /** Remote JWKS tuning (cooldown, timeout, max-age bounds). */
  jwksOptions?: RemoteKeySourceOptions
  /** Accepted `alg` values; the token header never chooses beyond these. Default `['EdDSA']`. */
  algorithms?: string[]
  /** Seconds of clock skew accepted on exp/nbf. Default 5. */
  leeway?: number
  /** Required `typ` header. Default `at+jwt`. */
  typ?: string
  /** Verified tokens remembered (LRU) so repeats skip the signature. Default 10,000. */
  cacheSize?: number
  /** Error bodies and statuses: the server's (default) or Flask-JWT-Extended's. */
  errorMode?: ErrorMode
  /** Ask the server whether tokens were revoked (RFC 7662), cached per token. */
  introspection?: IntrospectionOptions
  /** Checks your additional claims; a token failing it is `invalid_token`. */
  validateClaims?: (claims: GatehouseClaims) => claims is GatehouseClaims & Extra
  clock?: Clock
}

export interface RequireOptions {
  roles?: readonly string[]
  scopes?: readonly string[]
  /** Only tokens from a password login (`fresh: true`). */
  fresh?: boolean
  /** `msg` of the 403. */
  forbiddenMessage?: string
}

export interface Guard<Extra extends object = object> {
  /**
   * Verifies an `Authorization` header value and returns the token's claims. Throws a
   * `GatehouseError` (`missing_token`, `invalid_token`, `token_expired`, `token_revoked`).
   */
  verify: (authorization: string | undefined) => Promise<GatehouseClaims & Extra>
  /** Same as verify, synchronous when the token was verified before (for adapters). */
  authenticate: (
    authorization: string | undefined,
  ) => (GatehouseClaims & Extra) | Promise<GatehouseClaims & Extra>
  /** Throws `insufficient_scope` or `fresh_token_required` when the claims fall short. */
  authorize: (claims: GatehouseClaims, options: RequireOptions) => void
  /** Status, headers and body for an error, in the guard's error mode. */
  errorResponse: (error: unknown, authorization?: string) => GuardErrorResponse
}

/**
 * Protects any Node service with Gatehouse tokens: the same verification as the server
 * (one implementation), keys from its JWKS, and errors in the server's shape.
 *
 * @throws TypeError when an option is missing or malformed (at creation, never per request)
 * @example
 * const guard = createGuard({
 *   issuer: 'https://auth.example.com',
 *   audience: 'gatehouse',
 *   jwksUri: 'https://auth.example.com/.well-known/jwks.json',
 * })
 * const claims = await guard.verify(request.headers.authorization)
 */
export function createGuard<Extra extends object = object>(
  options: GuardOptions<Extra>,
): Guard<Extra> {
  assertGuardOptions(options)
  const clock = options.clock ?? { now: () => Date.now() }
  const keySource: KeySource = options.jwksUri
    ? createRemoteKeySource(options.jwksUri, { clock, ...options.jwksOptions })
    : createLocalKeySource(options.jwks ?? { keys: [] })
  const verifier = createAccessTokenVerifier({
    getKey: keySource,
    issuer: options.issuer,
    audience: options.audience,
    algorithms: options.algorithms ?? ['EdDSA'],
    leeway: options.leeway ?? 5,
    clock,
    ...(options.cacheSize !== undefined && { cacheSize: options.cacheSize }),
    ...(options.typ !== undefined && { typ: options.typ }),
  })
  const introspection =
    options.introspection && createIntrospectionCheck(options.introspection, clock)
  const mode = options.errorMode ?? 'gatehouse'

  function accept(
    claims: GatehouseClaims,
    token: string,
  ): (GatehouseClaims & Extra) | Promise<GatehouseClaims & Extra> {
    if (options.validateClaims && !options.validateClaims(claims)) {
      throw new GatehouseError('invalid_token', undefined, { cause: 'additional claims rejected' })
    }
    const typed = claims as GatehouseClaims & Extra
    if (!introspection) return typed
    const active = introspection(token, claims)
    if (active === true) return typed
    if (active === false) throw new GatehouseError('token_revoked')
    return active.then((isActive) => {
      if (!isActive) throw new GatehouseError('token_revoked')
      return typed
    })
  }

  function authenticate(authorization: string | undefined) {
    const token = parseBearerHeader(authorization)
    const verified = verifier.verify(token)
    return verified instanceof Promise
      ? verified.then((c) => accept(c, token))
      : accept(verified, token)
  }

  return {
    authenticate,
    verify: async (authorization) => authenticate(authorization),
    authorize(claims, required) {
      if (required.fresh && !claims.fresh) throw new GatehouseError('fresh_token_required')
      if (!hasRoles(claims, required.roles ?? []) || !hasScopes(claims, required.scopes ?? [])) {
        throw new GatehouseError('insufficient_scope', required.forbiddenMessage)
      }
    },
    errorResponse(error, authorization) {
      let token: string | undefined
      try {
        token = parseBearerHeader(authorization)
      } catch {
        token = undefined
      }
      return toGuardErrorResponse(error, mode, token)
    },
  }
}

function assertGuardOptions(options: GuardOptions<object>): void {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('createGuard: options are required')
  for (const name of ['issuer', 'audience'] as const) {
    if (typeof options[name] !== 'string' || options[name] === '') {
      throw new TypeError(`createGuard: "${name}" must be a non-empty string`)
    }
  }
  if ((options.jwksUri === undefined) === (options.jwks === undefined)) {
    throw new TypeError('createGuard: give exactly one of "jwksUri" and "jwks"')
  }
  if (options.jwksUri !== undefined && !/^https?:\/\//.test(options.jwksUri)) {
    throw new TypeError('createGuard: "jwksUri" must be an http(s) URL')
  }
  if (options.algorithms !== undefined) {
    const allowed = ['EdDSA', 'ES256', 'RS256']
    if (
      options.algorithms.length === 0 ||
      options.algorithms.some((alg) => !allowed.includes(alg))
    ) {
      throw new TypeError(
        `createGuard: "algorithms" must be a non-empty list of ${allowed.join(', ')}`,
      )
    }
  }
  if (
    options.errorMode !== undefined &&
    !['gatehouse', 'flask-jwt-extended'].includes(options.errorMode)
  ) {
    throw new TypeError('createGuard: "errorMode" must be "gatehouse" or "flask-jwt-extended"')
  }
}
