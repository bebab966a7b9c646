/**
 * What every peer shares: the port to listen on, the keys to verify with (from the
 * environment the bench runner sets) and how to tell the runner it is ready.
 */
import { createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import type { AddressInfo } from 'node:net'

export const ISSUER = 'https://bench.gatehouse.test'
export const AUDIENCE = 'gatehouse'
/** What every server answers on GET /protected for the benchmark's user. */
export const ANSWER = { logged_in_as: 'user1' }

export function port(): number {
  return Number(process.env['BENCH_PORT'] ?? 0)
}

/** The HS256 secret as a KeyObject: the fast configuration of jsonwebtoken-based peers. */
export function hs256Secret(): KeyObject {
  return createSecretKey(Buffer.from(process.env['BENCH_HS256_SECRET'] ?? '', 'base64url'))
}

export function ed25519PublicKey(): KeyObject {
  const jwk = JSON.parse(process.env['BENCH_ED25519_JWK'] ?? '{}') as JsonWebKey
  return createPublicKey({ key: jwk, format: 'jwk' })
}

/** The runner reads this line to learn the port. */
export function announce(address: AddressInfo | string | null): void {
  const port = typeof address === 'object' && address !== null ? address.port : 0
  process.stdout.write(`${JSON.stringify({ port })}\n`)
}

// A profiled peer (node --cpu-prof) writes its profile only on a normal exit.
process.once('SIGINT', () => process.exit(0))
