// Signing access tokens: jose's SignJWT (WebCrypto, one promise per token) against
// Gatehouse's signCompactJws (node:crypto, synchronous), same header and claims, in a tight
// loop on one core. Decision 0011.
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto'
import { SignJWT } from 'jose'
import { signCompactJws, type JwsAlgorithm } from '../../src/tokens/jws.js'

const rounds = Number(process.argv[2] ?? 3)
const ed = generateKeyPairSync('ed25519')
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const claims = () => ({
  iss: 'http://127.0.0.1:8080',
  aud: 'gatehouse',
  sub: randomUUID(),
  sid: randomUUID(),
  username: 'user1',
  client_id: 'gatehouse',
  roles: [],
  scope: 'data:read',
  iat: 1_800_000_000,
  exp: 1_800_000_900,
  jti: randomUUID(),
  fresh: true,
})
const results: Record<string, { jose: number[]; ours: number[] }> = {}
for (const [alg, key, count] of [
  ['EdDSA', ed.privateKey, 20_000],
  ['RS256', rsa.privateKey, 1_000],
] as [JwsAlgorithm, KeyObject, number][]) {
  const header = { alg, typ: 'at+jwt', kid: 'k' }
  const entry: { jose: number[]; ours: number[] } = { jose: [], ours: [] }
  results[alg] = entry
  for (let round = 0; round < rounds; round++) {
    let started = performance.now()
    for (let i = 0; i < count; i++) await new SignJWT(claims()).setProtectedHeader(header).sign(key)
    entry.jose.push(Math.round(count / ((performance.now() - started) / 1000)))
    started = performance.now()
    for (let i = 0; i < count; i++) signCompactJws(header, claims(), key)
    entry.ours.push(Math.round(count / ((performance.now() - started) / 1000)))
  }
}
process.stdout.write(`${JSON.stringify(results)}\n`)
