import { mac, safeEqual } from '../../../tokens/derive-key.js'
import type { Auth } from '../../../auth/context.js'

/**
 * Double-submit CSRF tokens bound to a credential (an access token's jti, a refresh
 * token): an HMAC under a key derived from the server secret, so a token cannot be made
 * without the server and is worthless for any other credential.
 */
export function csrfTokenFor(auth: Auth, binding: string): string {
  return mac(auth.csrfKey, binding)
}

/** Whether a presented CSRF token is the one bound to the credential (constant time). */
export function checkCsrfToken(auth: Auth, binding: string, presented: string): boolean {
  return safeEqual(mac(auth.csrfKey, binding), presented)
}
