// Verification of never-seen EdDSA access tokens, all checks included, in a tight loop:
// Gatehouse's verifier (tokens/jws.ts over node:crypto, cache off) against jose's
// jwtVerify and fast-jwt's synchronous verifier with the same checks. Decision 0006.
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { createVerifier } from 'fast-jwt'
import { jwtVerify, SignJWT } from 'jose'
import { createAccessTokenVerifier } from '../../src/tokens/access-token.js'

const seconds = Number(process.argv[2] ?? 3)
const { publicKey, privateKey } = generateKeyPairSync('ed25519')
const now = Math.floor(Date.now() / 1000)
const tokens = await Promise.all(
  Array.from({ length: 5_000 }, () =>
    new SignJWT({
      roles: [],
      scope: 'data:read',
      fresh: true,
      sid: randomUUID(),
      username: 'user1',
    })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k' })
      .setIssuer('http://127.0.0.1:8080')
      .setAudience('gatehouse')
      .setSubject(randomUUID())
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + 900)
      .sign(privateKey),
  ),
)

function rate(verifyOne: (token: string) => unknown): number {
  let count = 0
  const end = performance.now() + seconds * 1000
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) verifyOne(tokens[count++ % tokens.length] ?? '')
  }
  return count / seconds
}

async function rateAsync(verifyOne: (token: string) => Promise<unknown>): Promise<number> {
  let count = 0
  const end = performance.now() + seconds * 1000
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) await verifyOne(tokens[count++ % tokens.length] ?? '')
  }
  return count / seconds
}

const ours = createAccessTokenVerifier({
  getKey: () => publicKey,
  issuer: 'http://127.0.0.1:8080',
  audience: 'gatehouse',
  algorithms: ['EdDSA'],
  leeway: 5,
  clock: { now: () => Date.now() },
  cacheSize: 1,
})
const fast = createVerifier({
  key: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  algorithms: ['EdDSA'],
  allowedIss: 'http://127.0.0.1:8080',
  allowedAud: 'gatehouse',
  requiredClaims: ['exp', 'iat', 'jti', 'sub'],
  clockTolerance: 5000,
  cache: false,
  complete: true,
})

const results = {
  gatehouse: rate((token) => ours.verify(token)),
  'fast-jwt': rate((token) => {
    const { header } = fast(token) as { header: { typ?: string } }
    if (header.typ !== 'at+jwt') throw new Error('typ')
  }),
  jose: await rateAsync((token) =>
    jwtVerify(token, publicKey, {
      algorithms: ['EdDSA'],
      issuer: 'http://127.0.0.1:8080',
      audience: 'gatehouse',
      typ: 'at+jwt',
      clockTolerance: 5,
      requiredClaims: ['exp', 'iat', 'jti', 'sub'],
    }),
  ),
}
process.stdout.write(`${JSON.stringify(results)}\n`)
