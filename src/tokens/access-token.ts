import type { KeyObject } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import Type, { type Static } from 'typebox'
import { Compile } from 'typebox/compile'
import type { Clock } from '../clock.js'
import { newId } from '../ids.js'
import { GatehouseError } from '../errors/index.js'
import { checkClaims, JwsError, parseCompactJws, signCompactJws, verifyParsedJws } from './jws.js'
import type { ActiveSigningKey } from './signing-key.js'

/** RFC 9068 §2.1: access tokens are typed so they cannot be confused with other JWTs. */
export const ACCESS_TOKEN_TYPE = 'at+jwt'

const AccessTokenClaimsSchema = Type.Object({
  iss: Type.String(),
  aud: Type.Union([Type.String(), Type.Array(Type.String())]),
  sub: Type.String({ minLength: 1 }),
  sid: Type.Optional(Type.String({ minLength: 1 })),
  username: Type.Optional(Type.String()),
  client_id: Type.Optional(Type.String()),
  roles: Type.Array(Type.String()),
  scope: Type.String(),
  iat: Type.Number(),
  exp: Type.Number(),
  nbf: Type.Optional(Type.Number()),
  jti: Type.String({ minLength: 1 }),
  fresh: Type.Boolean(),
  /** When the user authenticated (epoch seconds); refreshes keep the login's. */
  auth_time: Type.Optional(Type.Number()),
  /** RFC 8176 methods of that authentication, e.g. ["pwd"]. */
  amr: Type.Optional(Type.Array(Type.String())),
})

export type AccessTokenClaims = Static<typeof AccessTokenClaimsSchema>

/** Claims Gatehouse sets itself (plus RFC 7519's); additional claims cannot take them. */
const RESERVED_CLAIMS = new Set([
  ...Object.keys(AccessTokenClaimsSchema.properties),
  'nbf',
  'client_id',
  'cnf',
  'act',
  'azp',
])

const checkClaimsShape = Compile(AccessTokenClaimsSchema)

export interface IssueAccessTokenInput {
  /** Additional claims; they can never replace a registered or Gatehouse claim. */
  extra?: Record<string, unknown>
  subject: string
  sessionId?: string
  username?: string
  /** RFC 9068 §2.2: the client the token was issued to (`gatehouse` for /login). */
  clientId?: string
  /** When the user authenticated (epoch ms) and how (RFC 8176); users' tokens only. */
  authentication?: { at: number; methods: readonly string[] }
  roles: readonly string[]
  scopes: readonly string[]
  fresh: boolean
}

export interface IssuerOptions {
  issuer: string
  audience: string
  /** Lifetime in seconds. */
  ttl: number
  clock: Clock
}

export interface IssuedAccessToken {
  token: string
  claims: AccessTokenClaims
}

export function issueAccessToken(
  key: ActiveSigningKey,
  input: IssueAccessTokenInput,
  options: IssuerOptions,
): IssuedAccessToken {
  const iat = Math.floor(options.clock.now() / 1000)
  const claims: AccessTokenClaims = {
    iss: options.issuer,
    aud: options.audience,
    sub: input.subject,
    ...(input.sessionId !== undefined && { sid: input.sessionId }),
    ...(input.username !== undefined && { username: input.username }),
    ...(input.clientId !== undefined && { client_id: input.clientId }),
    ...(input.authentication !== undefined && {
      auth_time: Math.floor(input.authentication.at / 1000),
      amr: [...input.authentication.methods],
    }),
    roles: [...input.roles],
    scope: input.scopes.join(' '),
    iat,
    exp: iat + options.ttl,
    // Time-ordered (UUIDv7), so a subject-wide revocation can cut off tokens issued
    // before a moment and keep those issued after it.
    jti: newId(),
    fresh: input.fresh,
  }
  if (input.extra !== undefined) {
    const clash = Object.keys(input.extra).find((name) => RESERVED_CLAIMS.has(name))
    if (clash !== undefined) {
      throw new TypeError(`additionalClaims may not set the reserved claim "${clash}"`)
    }
  }
  const token = signCompactJws(
    { alg: key.alg, typ: ACCESS_TOKEN_TYPE, kid: key.kid },
    { ...input.extra, ...claims },
    key.privateKey,
  )
  return { token, claims }
}

export interface AccessTokenVerifierOptions {
  /**
   * Public key for a kid, or undefined when the kid is unknown. May answer with a promise
   * (a remote JWKS fetching a kid it has not seen).
   */
  getKey: (kid: string) => KeyObject | undefined | Promise<KeyObject | undefined>
  issuer: string
  audience: string
  /** Accepted `alg` values; the token header never chooses beyond this list. */
  algorithms: readonly string[]
  /** Seconds of clock skew accepted on exp and nbf. */
  leeway: number
  clock: Clock
  /** Verified tokens remembered so repeats skip the signature check. Default 10,000. */
  cacheSize?: number
  /** Required `typ` header. Default `at+jwt` (RFC 9068). */
  typ?: string
}

export interface AccessTokenVerifier<Result extends { exp: number } = AccessTokenClaims> {
  /**
   * Verifies signature, alg, typ, kid, iss, aud, exp/nbf and the claim shapes. Answers
   * synchronously for a token already verified (the hot path), with a promise otherwise.
   * Throws `GatehouseError` `token_expired` or `invalid_token` (detail in `cause`).
   */
  verify(token: string): Result | Promise<Result>
  /** Forget verified tokens, e.g. after keys were retired. */
  clear(): void
}

export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier
/**
 * With `toResult`, what is cached and returned for a verified token is computed from its
 * claims once, at verification, so repeats cost nothing more.
 */
export function createAccessTokenVerifier<Result extends { exp: number }>(
  options: AccessTokenVerifierOptions & { toResult: (claims: AccessTokenClaims) => Result },
): AccessTokenVerifier<Result>
export function createAccessTokenVerifier(
  options: AccessTokenVerifierOptions & {
    toResult?: (claims: AccessTokenClaims) => { exp: number }
  },
): AccessTokenVerifier<{ exp: number }> {
  const toResult = options.toResult ?? ((claims: AccessTokenClaims) => claims)
  const verified = new LRUCache<string, { exp: number }>({ max: options.cacheSize ?? 10_000 })
  const algorithms = [...options.algorithms]
  const typ = options.typ ?? ACCESS_TOKEN_TYPE

  function accept(token: string, parsed: ParsedJws, key: KeyObject | undefined): { exp: number } {
    try {
      const payload = verifyParsedJws(parsed, knownKey(key))
      checkClaims(parsed.header, payload, {
        issuer: options.issuer,
        audience: options.audience,
        typ,
        leeway: options.leeway,
        now: Math.floor(options.clock.now() / 1000),
        required: REQUIRED_CLAIMS,
      })
      if (!checkClaimsShape.Check(payload)) {
        throw new GatehouseError('invalid_token', undefined, {
          cause: 'claims have the wrong shape',
        })
      }
      const result = toResult(payload)
      verified.set(token, result)
      return result
    } catch (error) {
      throw toTokenError(error)
    }
  }

  /** A token not seen before: synchronous unless its key has to be fetched. */
  function verifyUncached(token: string): { exp: number } | Promise<{ exp: number }> {
    let parsed: ParsedJws
    try {
      parsed = parseCompactJws(token, algorithms)
    } catch (error) {
      throw toTokenError(error)
    }
    const kid = parsed.header.kid
    const key = kid === undefined ? undefined : options.getKey(kid)
    return key instanceof Promise
      ? key.then(
          (found) => accept(token, parsed, found),
          (error: unknown) => Promise.reject(toTokenError(error)),
        )
      : accept(token, parsed, key)
  }

  return {
    verify(token) {
      const hit = verified.get(token)
      if (hit === undefined) return verifyUncached(token)
      const now = options.clock.now() / 1000
      if (now >= hit.exp + options.leeway) {
        verified.delete(token)
        throw new GatehouseError('token_expired')
      }
      return hit
    },
    clear: () => verified.clear(),
  }
}

type ParsedJws = ReturnType<typeof parseCompactJws>

/** Gatehouse issues these in every access token; one missing means not ours. */
const REQUIRED_CLAIMS = ['exp', 'iat', 'jti', 'sub']

function knownKey(key: KeyObject | undefined): KeyObject {
  if (key === undefined)
    throw new GatehouseError('invalid_token', undefined, { cause: 'unknown kid' })
  return key
}

function toTokenError(error: unknown): GatehouseError {
  if (error instanceof GatehouseError) return error
  if (error instanceof JwsError && error.reason === 'expired') {
    return new GatehouseError('token_expired')
  }
  return new GatehouseError('invalid_token', undefined, { cause: error })
}
