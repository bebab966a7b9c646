import type { Capability } from '../../auth/capability.js'
import { keepSigningKeys } from './auth/signing-keys.js'

/** Signing keys: rings per algorithm, rotation, revocation, the JWKS. */
export const keys: Capability = {
  name: 'keys',
  dependsOn: [],
  jobs: [{ name: 'signing keys', run: keepSigningKeys }],
}
