import { GatehouseError } from '../../../errors/index.js'

/** RFC 6749 §3.3 scope-token: printable ASCII without space, `"` or `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/

/** Validates scope names and drops duplicates, keeping order. */
export function normalizeScopes(scopes: readonly string[]): string[] {
  for (const scope of scopes) {
    if (!SCOPE_TOKEN.test(scope)) {
      throw new GatehouseError(
        'invalid_scope',
        `Scope "${scope.slice(0, 64)}" is not a valid scope name`,
      )
    }
  }
  return [...new Set(scopes)]
}

/** A space-separated scope parameter (OAuth) as a list. */
export function parseScopeParameter(scope: string | undefined): string[] | undefined {
  if (scope === undefined) return undefined
  return normalizeScopes(scope.split(' ').filter((s) => s !== ''))
}

/**
 * The scopes granted for a request: the requested ones if every one is allowed (all
 * allowed ones when none are requested); `invalid_scope` otherwise.
 */
export function narrowScopes(
  requested: readonly string[] | undefined,
  allowed: readonly string[],
): string[] {
  if (requested === undefined) return [...allowed]
  const refused = requested.filter((scope) => !allowed.includes(scope))
  if (refused.length > 0) {
    throw new GatehouseError('invalid_scope', `Not allowed: ${refused.join(' ')}`)
  }
  return [...requested]
}
