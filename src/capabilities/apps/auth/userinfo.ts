import { GatehouseError } from '../../../errors/index.js'
import { authenticateAccessToken } from '../../sessions/index.js'
import type { Auth } from '../../../auth/context.js'
import { scopedClaims } from './claims.js'

/**
 * OIDC Core §5.3: the claims of the user an access token with `openid` was issued for,
 * as far as its scopes release them. A token without `openid` (a /login token, a client's
 * own) gets 403 `insufficient_scope`.
 */
export interface UserinfoClaims {
  sub: string
  preferred_username?: string
  email?: string
  email_verified?: boolean
}

export async function userinfo(auth: Auth, accessToken: string): Promise<UserinfoClaims> {
  const principal = await authenticateAccessToken(auth, accessToken)
  const scopes = principal.scope.split(' ')
  if (principal.kind !== 'user' || !scopes.includes('openid')) {
    throw new GatehouseError('insufficient_scope', 'The access token was not granted openid')
  }
  const user = await auth.store.users.findById(principal.sub)
  if (!user || user.disabled) throw new GatehouseError('invalid_token')
  return { sub: user.id, ...scopedClaims(user, scopes) }
}
