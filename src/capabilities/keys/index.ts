/** What other capabilities may use of keys; everything else is its own. */
export type { KeyPairSource } from './auth/key-ring.js'
export {
  currentJwks,
  jwks,
  listSigningKeys,
  refreshSigningKeys,
  revokeSigningKey,
  rotateSigningKeys,
  type SigningKeyView,
} from './auth/signing-keys.js'
