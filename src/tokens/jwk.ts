import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'

/** A public key from a JWK; node:crypto wants only the key material members. */
export function publicKeyFromJwk(jwk: JsonWebKey): KeyObject {
  const { kty, crv, x, y, n, e } = jwk
  const material = Object.fromEntries(
    Object.entries({ kty, crv, x, y, n, e }).filter(([, value]) => value !== undefined),
  ) as JsonWebKey
  return createPublicKey({ key: material, format: 'jwk' })
}
