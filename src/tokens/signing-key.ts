import type { KeyObject } from 'node:crypto'
import type { JWK } from 'jose'

/** Algorithms Gatehouse signs access tokens with. */
export type SigningAlgorithm = 'EdDSA' | 'ES256' | 'RS256'

/** The key that signs new tokens (its persistence and rotation: auth/key-ring.ts). */
export interface ActiveSigningKey {
  kid: string
  alg: SigningAlgorithm
  privateKey: KeyObject
}

/** A published key set (RFC 7517). */
export interface Jwks {
  keys: JWK[]
}
