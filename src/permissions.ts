/**
 * What a token permits (roles and scopes), checked the same way by the server's guards and by gatehouse-auth/guard.
 * Pure functions over claims; imports nothing.
 */
export interface Permissions {
  roles: readonly string[]
  /** Space-separated, as in the token's `scope` claim. */
  scope: string
}

/** Every listed role is held. */
export function hasRoles(permissions: Permissions, required: readonly string[]): boolean {
  return required.every((role) => permissions.roles.includes(role))
}

/** Every listed scope is held. */
export function hasScopes(permissions: Permissions, required: readonly string[]): boolean {
  if (required.length === 0) return true
  const held = permissions.scope.split(' ')
  return required.every((scope) => held.includes(scope))
}
