import { describe, expect, it } from 'vitest'
import { normalizeUsername, usernameKeyOrNull } from '../../src/auth/username.js'
import { GatehouseError } from '../../src/errors/index.js'

describe('normalizeUsername', () => {
  it.each([
    ['admin', 'admin'],
    ['ADMIN', 'admin'],
    ['ａｄｍｉｎ', 'admin'],
    ['Straße', 'strasse'],
    ['STRASSE', 'strasse'],
    ['ﬁona', 'fiona'],
    ['Ωμέγα', 'ωμέγα'],
    ['user.name-1@example', 'user.name-1@example'],
  ])('%s folds to %s', (input, key) => {
    expect(normalizeUsername(input).key).toBe(key)
  })

  it('keeps the NFKC display form as typed', () => {
    expect(normalizeUsername('ＡＤａ').display).toBe('ADa')
  })

  it.each([
    ['ab', /3 to 64/],
    ['a'.repeat(65), /3 to 64/],
    ['ab\u200b', /invisible/],
    ['a\tb', /spaces/],
    ['a\u00a0b', /spaces/],
    ['bob!', /letters, digits/],
    ['b\u043eb', /scripts/],
  ])('refuses %j', (input, message) => {
    expect(() => normalizeUsername(input)).toThrow(message)
    try {
      normalizeUsername(input)
    } catch (error) {
      expect(error).toBeInstanceOf(GatehouseError)
      expect((error as GatehouseError).code).toBe('invalid_username')
    }
  })

  it('counts characters, not UTF-16 units, for the length bounds', () => {
    expect(normalizeUsername('𝒜𝒷𝒸').key).toBe('abc') // NFKC maps mathematical letters
    expect(() => normalizeUsername('日本')).toThrow(/3 to 64/)
    expect(normalizeUsername('日本語').display).toBe('日本語')
  })

  it('gives null keys for impossible login names instead of throwing', () => {
    expect(usernameKeyOrNull('x y')).toBeNull()
    expect(usernameKeyOrNull('User1')).toBe('user1')
  })
})
