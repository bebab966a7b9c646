import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { deriveKey } from './derive-key.js'

const VERSION = 'v1'
const IV_BYTES = 12

/**
 * Authenticated encryption (AES-256-GCM) of small values at rest, such as signing keys'
 * private parts. The AES key is derived from the server secret with HKDF (RFC 5869) and a
 * purpose label, so the raw secret is never used as a key and other purposes get other keys.
 */
export interface SecretBox {
  seal: (plaintext: string) => string
  open: (sealed: string) => string
}

export function createSecretBox(secret: string, purpose: string): SecretBox {
  const key = deriveKey(secret, purpose)
  const aad = Buffer.from(purpose)
  return {
    seal(plaintext) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad)
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return [VERSION, iv, body, cipher.getAuthTag()]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.')
    },
    open(sealed) {
      const [version, iv, body, tag] = sealed.split('.')
      if (version !== VERSION || iv === undefined || body === undefined || tag === undefined) {
        throw new Error('sealed value has an unknown format')
      }
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
        .setAAD(aad)
        .setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([
        decipher.update(Buffer.from(body, 'base64url')),
        decipher.final(),
      ]).toString('utf8')
    },
  }
}
