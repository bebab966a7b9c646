import { GatehouseError } from '../errors/index.js'

/** Scopes every user holds; `/data` accepts `data:read` (the tutorial's sensitive data). */
export const DEFAULT_USER_SCOPES: readonly string[] = ['data:read']

export const ADMIN_ROLE = 'admin'

const ROLE_NAME = /^[a-z][a-z0-9_.:-]{0,63}$/

/** Roles are lower-case identifiers; duplicates are dropped, order kept. */
export function normalizeRoles(roles: readonly string[]): string[] {
  for (const role of roles) {
    if (!ROLE_NAME.test(role)) {
      throw new GatehouseError(
        'invalid_request',
        `Role "${role.slice(0, 64)}" is invalid: use lower-case letters, digits and _ . : -`,
      )
    }
  }
  return [...new Set(roles)]
}

export { hasRoles, hasScopes, type Permissions } from '../permissions.js'
