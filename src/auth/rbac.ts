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

/**
 * A token an OAuth client holds for itself (RFC 9068 §2.2 client credentials profile:
 * `sub` is the `client_id`), as opposed to one acting for a user.
 */
export function isClientPrincipal(principal: { sub: string; client_id?: string }): boolean {
  return principal.client_id !== undefined && principal.sub === principal.client_id
}

export { hasRoles, hasScopes, type Permissions } from '../permissions.js'
