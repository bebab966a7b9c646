import type { UserRecord } from '../../../store/store.js'

/** OIDC Core §5.4: the scopes that stand for claims, and the claims Gatehouse holds. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const

export const SUPPORTED_CLAIMS = [
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'amr',
  'azp',
  'sid',
  'preferred_username',
  'email',
  'email_verified',
]

/**
 * The user's claims a grant of these scopes releases (ID token and userinfo alike):
 * `profile` → `preferred_username`; `email` → `email` and `email_verified` when the user
 * has an address.
 */
export function scopedClaims(
  user: UserRecord,
  scopes: readonly string[],
): { preferred_username?: string; email?: string; email_verified?: boolean } {
  return {
    ...(scopes.includes('profile') && { preferred_username: user.username }),
    ...(scopes.includes('email') &&
      user.email !== null && {
        email: user.email,
        email_verified: user.emailVerifiedAt !== null,
      }),
  }
}
