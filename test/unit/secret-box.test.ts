import { describe, expect, it } from 'vitest'
import { createSecretBox } from '../../src/tokens/secret-box.js'

describe('createSecretBox', () => {
  const box = createSecretBox('a server secret of reasonable length', 'signing keys')

  it('round-trips and never repeats a ciphertext', () => {
    const a = box.seal('-----BEGIN PRIVATE KEY-----')
    expect(box.open(a)).toBe('-----BEGIN PRIVATE KEY-----')
    expect(box.seal('-----BEGIN PRIVATE KEY-----')).not.toBe(a)
    expect(a).not.toContain('PRIVATE')
  })

  it('refuses a tampered value, another secret and another purpose', () => {
    const sealed = box.seal('value')
    const [v, iv, body, tag] = sealed.split('.')
    const flipped = body!.startsWith('A') ? `B${body!.slice(1)}` : `A${body!.slice(1)}`
    expect(() => box.open([v, iv, flipped, tag].join('.'))).toThrow()
    expect(() =>
      createSecretBox('another secret entirely, same length', 'signing keys').open(sealed),
    ).toThrow()
    expect(() =>
      createSecretBox('a server secret of reasonable length', 'other').open(sealed),
    ).toThrow()
    expect(() => box.open('v2.x.y.z')).toThrow(/unknown format/)
  })
})
