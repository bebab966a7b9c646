import { describe, expect, it } from 'vitest'
import {
  deriveSuccessorToken,
  generateChecksummedSecret,
  generateOpaqueToken,
  hasTokenShape,
  hasValidChecksum,
  TOKEN_PREFIXES,
} from '../../src/tokens/opaque-token.js'

describe('opaque tokens', () => {
  it('refresh tokens have the prefix and 256 random bits, never repeating', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => generateOpaqueToken('gthr_')))
    expect(tokens.size).toBe(1000)
    for (const token of tokens) expect(hasTokenShape(token, 'gthr_')).toBe(true)
  })

  it('successors are deterministic per token and look like any other token', () => {
    const key = Buffer.alloc(32, 7)
    const token = generateOpaqueToken('gthr_')
    const successor = deriveSuccessorToken(key, token)
    expect(deriveSuccessorToken(key, token)).toBe(successor)
    expect(deriveSuccessorToken(Buffer.alloc(32, 8), token)).not.toBe(successor)
    expect(hasTokenShape(successor, 'gthr_')).toBe(true)
  })

  it('checksummed secrets reject typos, truncation and other prefixes without a lookup', () => {
    const key = generateChecksummedSecret(TOKEN_PREFIXES.apiKey)
    expect(key).toMatch(/^gthk_[A-Za-z0-9_-]{43}_[A-Za-z0-9_-]{6}$/)
    expect(hasValidChecksum(key, 'gthk_')).toBe(true)
    const body = key.slice(5, 48)
    const typo = `gthk_${body[0] === 'A' ? 'B' : 'A'}${body.slice(1)}${key.slice(48)}`
    expect(hasValidChecksum(typo, 'gthk_')).toBe(false)
    expect(hasValidChecksum(key.slice(0, -1), 'gthk_')).toBe(false)
    expect(hasValidChecksum(`${key}x`, 'gthk_')).toBe(false)
    expect(hasValidChecksum(key, 'gthc_')).toBe(false)
  })
})
