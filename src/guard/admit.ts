import { GatehouseError } from '../errors/index.js'
import { principalOfToken, type Principal } from '../tokens/principal.js'
import type { GatehouseClaims, Guard, RequireOptions } from './guard.js'

/** Loads your user for verified claims (Flask-JWT-Extended's user_lookup_loader). */
export type UserLoader = (claims: GatehouseClaims) => unknown

export interface Admission {
  /** The verified token as a principal: its claims and its kind (`user` or `client`). */
  principal: Principal
  /** What `loadUser` returned, when one is configured. */
  user: unknown
}

/**
 * The principal of verified claims, built once per verified token, not per request: the
 * guard's cache answers a token it has seen with the same claims object, so a WeakMap
 * keeps the two together and lets go of both when the cache does. (Spreading the claims
 * into a new principal was ~4 µs of a ~35 µs request in docs/performance.md's profile.)
 */
export function principalMemo(): (claims: GatehouseClaims) => Principal {
  const principals = new WeakMap<GatehouseClaims, Principal>()
  return (claims) => {
    let principal = principals.get(claims)
    if (principal === undefined) {
      principal = principalOfToken(claims)
      principals.set(claims, principal)
    }
    return principal
  }
}

/**
 * What every adapter does with a request's Authorization header: verify, authorize, load
 * the user, then call `admit` or `refuse` exactly once. Synchronous all the way when the
 * token was verified before and no loader answers with a promise.
 * `required === null` means optional: no header is fine, a bad one is not.
 */
export function runGuard(
  guard: Guard,
  principalOf: (claims: GatehouseClaims) => Principal,
  authorization: string | undefined,
  required: RequireOptions | null,
  loadUser: UserLoader | undefined,
  admit: (admission: Admission | null) => void,
  refuse: (error: unknown) => void,
): void {
  if (required === null && (authorization === undefined || authorization === '')) {
    admit(null)
    return
  }
  const withUser = (claims: GatehouseClaims) => {
    if (required) guard.authorize(claims, required)
    if (loadUser === undefined) return admit({ principal: principalOf(claims), user: undefined })
    const loaded = loadUser(claims)
    const finish = (user: unknown) => {
      if (user === null || user === undefined) {
        throw new GatehouseError('invalid_token', 'Error loading the user')
      }
      admit({ principal: principalOf(claims), user })
    }
    if (loaded instanceof Promise) return loaded.then(finish).catch(refuse)
    return finish(loaded)
  }
  try {
    const verified = guard.authenticate(authorization)
    if (verified instanceof Promise) {
      verified.then(withUser).catch(refuse)
    } else {
      void withUser(verified)
    }
  } catch (error) {
    refuse(error)
  }
}
