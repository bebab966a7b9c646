import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  generateKeyPairFor,
  type KeyPairSource,
} from '../../src/capabilities/keys/auth/key-ring.js'

/**
 * RSA-3072 pairs made once per machine and kept under node_modules/.cache: generating one
 * takes ~0.7 s, and every app with RS256 ID tokens needs two. Each pool (one per test app)
 * hands out distinct pairs, so an app's rotation still brings a new key; different apps
 * share pairs, which only RS256 ID tokens use (access tokens in tests are EdDSA or ES256,
 * generated fresh, so a token of one app still fails at another). Other algorithms are
 * generated: they take microseconds.
 */
export function createKeyPool(): KeyPairSource {
  const dir = join(process.cwd(), 'node_modules', '.cache', 'gatehouse-test-keys')
  let next = 0
  return (alg) => {
    if (alg !== 'RS256') return generateKeyPairFor(alg)
    const file = join(dir, `rsa-3072-${next++}.pem`)
    let pem: string
    try {
      pem = readFileSync(file, 'utf8')
    } catch {
      pem = generateKeyPairSync('rsa', { modulusLength: 3072 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString()
      mkdirSync(dir, { recursive: true })
      // Written whole, then renamed: a parallel worker reads a complete key or none.
      const partial = `${file}.${process.pid}.tmp`
      writeFileSync(partial, pem)
      renameSync(partial, file)
    }
    const privateKey = createPrivateKey(pem)
    return Promise.resolve({ privateKey, publicKey: createPublicKey(privateKey) })
  }
}
