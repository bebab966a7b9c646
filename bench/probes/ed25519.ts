// What Ed25519 verification alone allows on this core: node:crypto verify in a tight loop
// over distinct signed JWT inputs, no HTTP, no JSON, no JOSE checks.
import { generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto'

const seconds = Number(process.argv[2] ?? 3)
const { publicKey, privateKey } = generateKeyPairSync('ed25519')
const samples = Array.from({ length: 10_000 }, () => {
  const header = Buffer.from('{"alg":"EdDSA","typ":"at+jwt","kid":"k"}').toString('base64url')
  const payload = Buffer.from(JSON.stringify({ sub: randomUUID(), jti: randomUUID() })).toString(
    'base64url',
  )
  const data = Buffer.from(`${header}.${payload}`)
  return { data, signature: sign(null, data, privateKey) }
})
let count = 0
const end = performance.now() + seconds * 1000
while (performance.now() < end) {
  for (let i = 0; i < 100; i++) {
    const sample = samples[count++ % samples.length]
    if (sample && !verify(null, sample.data, publicKey, sample.signature)) throw new Error('bad')
  }
}
process.stdout.write(`${JSON.stringify({ perSecond: count / seconds })}\n`)
