/** What other capabilities may use of keys; everything else is its own. */
export {
  currentJwks,
  listSigningKeys,
  revokeSigningKey,
  rotateSigningKeys,
  type SigningKeyView,
} from './auth/signing-keys.js'
