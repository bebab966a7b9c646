import { describe, expect, it } from 'vitest'
import { totpCode } from '../helpers/totp.js'

describe("the tests' own TOTP", () => {
  // RFC 6238 Appendix B, SHA-1 rows (the seed "12345678901234567890"; 8 digits there, the
  // last 6 here).
  it('matches the RFC 6238 test vectors', () => {
    const seed = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'
    expect(totpCode(seed, 59_000)).toBe('287082')
    expect(totpCode(seed, 1_111_111_109_000)).toBe('081804')
    expect(totpCode(seed, 1_234_567_890_000)).toBe('005924')
    expect(totpCode(seed, 20_000_000_000_000)).toBe('353130')
  })
})
