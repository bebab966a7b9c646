import { describe, expect, it } from 'vitest'
import { createMemoryRevocationList } from '../../src/cluster/revocation-list.js'

describe('createMemoryRevocationList', () => {
  it('revokes by jti and by sid until the entry expires', () => {
    const list = createMemoryRevocationList()
    list.add({ kind: 'jti', value: 'j1', expiresAt: 1_000 }, 0)
    list.add({ kind: 'sid', value: 's1', expiresAt: 2_000 }, 0)
    expect(list.isRevoked('j1', undefined, 'u', 999)).toBe(true)
    expect(list.isRevoked('other', 's1', 'u', 1_500)).toBe(true)
    expect(list.isRevoked('other', undefined, 'u', 1_500)).toBe(false)
    expect(list.isRevoked('j1', undefined, 'u', 1_000)).toBe(false)
    expect(list.isRevoked('other', 's1', 'u', 2_000)).toBe(false)
    // A jti value never matches a sid entry and vice versa.
    expect(list.isRevoked('s1', undefined, 'u', 0)).toBe(false)
  })

  it('revokes a subject only for tokens whose jti sorts before the cut-off', () => {
    const list = createMemoryRevocationList()
    list.add({ kind: 'sub', value: 'user-1', expiresAt: 1_000, before: '0190' }, 0)
    expect(list.isRevoked('0189-old', undefined, 'user-1', 10)).toBe(true)
    expect(list.isRevoked('0191-new', undefined, 'user-1', 10)).toBe(false)
    expect(list.isRevoked('0189-old', undefined, 'user-2', 10)).toBe(false)
    // A later cut-off wins; an earlier one never narrows it.
    list.add({ kind: 'sub', value: 'user-1', expiresAt: 1_000, before: '0192' }, 0)
    list.add({ kind: 'sub', value: 'user-1', expiresAt: 1_000, before: '0100' }, 0)
    expect(list.isRevoked('0191-new', undefined, 'user-1', 10)).toBe(true)
    // Without a cut-off every token of the subject is covered.
    list.add({ kind: 'sub', value: 'client-9', expiresAt: 1_000 }, 0)
    expect(list.isRevoked('ffff', undefined, 'client-9', 10)).toBe(true)
  })

  it('keeps the later expiry when an entry is added twice', () => {
    const list = createMemoryRevocationList()
    list.add({ kind: 'sid', value: 's', expiresAt: 5_000 }, 0)
    list.add({ kind: 'sid', value: 's', expiresAt: 1_000 }, 0)
    expect(list.isRevoked('x', 's', 'u', 4_000)).toBe(true)
  })

  it('forgets expired entries as new ones arrive, so memory stays bounded', () => {
    const list = createMemoryRevocationList()
    const minute = 60_000
    for (let i = 0; i < 10_000; i++)
      list.add({ kind: 'jti', value: `old-${i}`, expiresAt: minute }, 0)
    expect(list.size()).toBe(10_000)
    list.add({ kind: 'jti', value: 'new', expiresAt: 10 * minute }, 2 * minute)
    expect(list.size()).toBe(1)
    expect(list.isRevoked('new', undefined, 'u', 2 * minute)).toBe(true)
  })
})
