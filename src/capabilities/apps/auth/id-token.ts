import { signCompactJws } from '../../../tokens/jws.js'
import type { UserRecord } from '../../../store/store.js'
import type { AuthDeps } from '../../../auth/deps.js'
import type { OAuthClient } from '../../machine-access/index.js'
import { scopedClaims } from './claims.js'

/** ID tokens are read once, at sign-in; a short life is enough (and at least a minute). */
export function idTokenTtl(deps: AuthDeps): number {
  return Math.max(deps.settings.accessTtl, 60)
}

export interface IdTokenInput {
  /** When the user authenticated (epoch ms) and how (RFC 8176). */
  authTime: number
  amr: readonly string[]
  /** The authorization request's nonce; none on a refresh (OIDC Core §12.2). */
  nonce: string | null
  scopes: readonly string[]
  /** The browser session at Gatehouse that signed in (OIDC Front-/Back-Channel Logout). */
  sid: string | null
}

/**
 * An OIDC Core §2 ID token for the client: `sub` is the user's id (the access token's
 * `sub`), `aud` the client, signed with the client's algorithm (RS256 unless it
 * registered ES256 or EdDSA) by a key published in the JWKS.
 */
export async function issueIdToken(
  deps: AuthDeps,
  client: Pick<OAuthClient, 'id' | 'idTokenAlg'>,
  user: UserRecord,
  input: IdTokenInput,
): Promise<string> {
  const key = await deps.keyRing.idTokenKey(client.idTokenAlg)
  const iat = Math.floor(deps.clock.now() / 1000)
  return signCompactJws(
    { alg: key.alg, kid: key.kid, typ: 'JWT' },
    {
      ...scopedClaims(user, input.scopes),
      auth_time: Math.floor(input.authTime / 1000),
      amr: [...input.amr],
      azp: client.id,
      ...(input.nonce !== null && { nonce: input.nonce }),
      ...(input.sid !== null && { sid: input.sid }),
      iss: deps.settings.issuer,
      sub: user.id,
      aud: client.id,
      iat,
      exp: iat + idTokenTtl(deps),
    },
    key.privateKey,
  )
}
