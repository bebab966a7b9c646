import type { Manifest } from '../manifest.js'
import { keepSigningKeys } from './auth/signing-keys.js'

/** Signing keys: rings per algorithm, rotation, revocation, the JWKS. */
export const keys: Manifest = {
  name: 'keys',
  dependsOn: [],
  jobs: [{ name: 'signing keys', run: keepSigningKeys }],
}
