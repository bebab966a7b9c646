import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SigningKeyRecord, Store, UserRecord } from '../../src/store/store.js'

/**
 * What every Store implementation must do, run unchanged against each backend
 * (SQLite always; Postgres where it is available).
 */
export function describeStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store
    beforeEach(async () => {
      store = await makeStore()
      await store.migrate()
    })
    afterEach(() => store.close())

    const user = (overrides: Partial<UserRecord> = {}): UserRecord => ({
      id: randomUUID(),
      username: 'Alice',
      usernameKey: 'alice',
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
      roles: ['admin', 'auditor'],
      disabled: false,
      createdAt: 1_700_000_000_123,
      updatedAt: 1_700_000_000_123,
      ...overrides,
    })

    const key = (status: SigningKeyRecord['status'], kid = randomUUID()): SigningKeyRecord => ({
      kid,
      alg: 'EdDSA',
      publicJwk: '{"kty":"OKP"}',
      privateKeyEncrypted: 'v1.a.b.c',
      status,
      createdAt: 1,
      activatedAt: status === 'current' ? 1 : null,
      retiredAt: null,
    })

    it('migrates idempotently', async () => {
      await store.migrate()
      await store.ping()
    })

    it('stores and finds users by id and by username key, with every field intact', async () => {
      const alice = user()
      expect(await store.users.insert(alice)).toBe('created')
      expect(await store.users.findById(alice.id)).toEqual(alice)
      expect(await store.users.findByUsernameKey('alice')).toEqual(alice)
      expect(await store.users.findByUsernameKey('ALICE')).toBeUndefined()
      expect(await store.users.findById('missing')).toBeUndefined()
    })

    it('refuses a second user with the same username key, also under concurrency', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.users.insert(user({ id: randomUUID() }))),
      )
      expect(results.filter((r) => r === 'created')).toHaveLength(1)
      expect(results.filter((r) => r === 'username_taken')).toHaveLength(9)
    })

    it('updates roles, password hash and disabled, and reports missing users', async () => {
      const alice = user()
      await store.users.insert(alice)
      const updated = await store.users.update(
        alice.id,
        { roles: [], disabled: true, passwordHash: 'new' },
        42,
      )
      expect(updated).toEqual({
        ...alice,
        roles: [],
        disabled: true,
        passwordHash: 'new',
        updatedAt: 42,
      })
      expect(await store.users.update('missing', { roles: [] }, 1)).toBeUndefined()
    })

    it('creates a session with its first refresh token atomically', async () => {
      const alice = user()
      await store.users.insert(alice)
      const session = {
        id: randomUUID(),
        userId: alice.id,
        createdAt: 10,
        lastUsedAt: 10,
        expiresAt: 1000,
        ip: '127.0.0.1',
        userAgent: 'test',
        revokedAt: null,
      }
      await store.sessions.create(session, {
        tokenHash: 'h1',
        sessionId: session.id,
        createdAt: 10,
        expiresAt: 1000,
      })
      expect(await store.sessions.findById(session.id)).toEqual(session)

      // A duplicate token hash fails the whole creation: no session without its token.
      const second = { ...session, id: randomUUID() }
      await expect(
        store.sessions.create(second, {
          tokenHash: 'h1',
          sessionId: second.id,
          createdAt: 10,
          expiresAt: 1000,
        }),
      ).rejects.toThrow()
      expect(await store.sessions.findById(second.id)).toBeUndefined()
    })

    it('keeps at most one current and one next signing key, whoever races', async () => {
      const inserted = await Promise.all(
        [key('current'), key('current'), key('current')].map((k) =>
          store.signingKeys.insertIfSlotFree(k),
        ),
      )
      expect(inserted.filter(Boolean)).toHaveLength(1)
      expect(await store.signingKeys.insertIfSlotFree(key('next'))).toBe(true)
      expect(await store.signingKeys.insertIfSlotFree(key('next'))).toBe(false)
      expect(await store.signingKeys.insertIfSlotFree(key('retired'))).toBe(true)
      expect(await store.signingKeys.insertIfSlotFree(key('retired'))).toBe(true)
      const statuses = (await store.signingKeys.list()).map((k) => k.status).sort()
      expect(statuses).toEqual(['current', 'next', 'retired', 'retired'])
    })
  })
}
