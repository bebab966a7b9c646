/**
 * What a token grants, checked the same way by the server's guards and by gatehouse-auth/guard.
 * Pure functions over claims; imports nothing.
 */
export interface Grants {
  roles: readonly string[]
  /** Space-separated, as in the token's `scope` claim. */
  scope: string
}

/** Every listed role is held. */
export function hasRoles(grants: Grants, required: readonly string[]): boolean {
  return required.every((role) => grants.roles.includes(role))
}

/** Every listed scope is held. */
export function hasScopes(grants: Grants, required: readonly string[]): boolean {
  if (required.length === 0) return true
  const held = grants.scope.split(' ')
  return required.every((scope) => held.includes(scope))
}
