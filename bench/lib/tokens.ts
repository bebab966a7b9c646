import { randomBytes, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose'
import { systemClock } from '../../src/clock.js'
import { createStore } from '../../src/store/create-store.js'
import { issueAccessToken } from '../../src/tokens/access-token.js'
import { createKeyRing } from '../../src/capabilities/keys/auth/key-ring.js'
import { AUDIENCE, ISSUER } from '../peers/common.js'

/** Keys of the peers: an HS256 secret and an Ed25519 pair, fresh for each run. */
export interface PeerKeys {
  env: Record<string, string>
  /** `count` distinct tokens for user1, like the ones Gatehouse issues. */
  hs256(count: number): Promise<string[]>
  ed25519(count: number): Promise<string[]>
}

export async function createPeerKeys(): Promise<PeerKeys> {
  const secret = randomBytes(32)
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
  const mint = (alg: string, key: Parameters<SignJWT['sign']>[0], count: number) =>
    Promise.all(
      Array.from({ length: count }, () =>
        new SignJWT({ username: 'user1', roles: [], scope: 'data:read', fresh: false })
          .setProtectedHeader({ alg, typ: 'at+jwt' })
          .setSubject(randomUUID())
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('1h')
          .setJti(randomUUID())
          .sign(key),
      ),
    )
  return {
    env: {
      BENCH_HS256_SECRET: secret.toString('base64url'),
      BENCH_ED25519_JWK: JSON.stringify(await exportJWK(publicKey)),
    },
    hs256: (count) => mint('HS256', new Uint8Array(secret), count),
    ed25519: (count) => mint('EdDSA', privateKey, count),
  }
}

/**
 * `count` distinct access tokens exactly like the ones Gatehouse issues for the session of
 * `template` (a token from a real login), signed with the server's own current key, read
 * from its database with its secret. Logging in `count` times would cost as many argon2
 * hashes: minutes, for a benchmark of token verification.
 */
export async function mintGatehouseTokens(
  database: string,
  template: string,
  count: number,
): Promise<string[]> {
  const claims = decodeJwt(template) as {
    sub: string
    sid: string
    username: string
    roles: string[]
    scope: string
    iss: string
    aud: string
  }
  const store = createStore(database)
  try {
    const keyRing = await createKeyRing({
      store: store.signingKeys,
      secret: readFileSync(`${database}.secret`, 'utf8').trim(),
      alg: 'EdDSA',
      clock: systemClock,
      retiredKeyLifetime: 0,
    })
    const key = keyRing.signingKey()
    const tokens: string[] = []
    for (let i = 0; i < count; i++) {
      const { token } = issueAccessToken(
        key,
        {
          subject: claims.sub,
          sessionId: claims.sid,
          username: claims.username,
          roles: claims.roles,
          scopes: claims.scope.split(' '),
          fresh: false,
        },
        { issuer: claims.iss, audience: claims.aud, ttl: 3600, clock: systemClock },
      )
      tokens.push(token)
    }
    return tokens
  } finally {
    await store.close()
  }
}
