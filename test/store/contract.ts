import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SigningKeyRecord, Store, UserRecord } from '../../src/store/store.js'

/**
 * What every Store implementation must do, run unchanged against each backend
 * (SQLite always; Postgres where it is available).
 */
export function describeStoreContract(
  name: string,
  makeStore: () => Promise<Store>,
  options: { skip?: boolean } = {},
): void {
  describe.skipIf(options.skip === true)(`Store contract: ${name}`, () => {
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
      email: null,
      emailKey: null,
      emailVerifiedAt: null,
      ...overrides,
    })

    const key = (status: SigningKeyRecord['status'], kid = randomUUID()): SigningKeyRecord => ({
      kid,
      ring: 'access',
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

    it('keeps a verified address to one user: found by its key, unique on insert and on change, also under concurrency; an unverified one reserves nothing', async () => {
      const alice = user({
        email: 'Alice@Example.com',
        emailKey: 'alice@example.com',
        emailVerifiedAt: 5,
      })
      expect(await store.users.insert(alice)).toBe('created')
      expect(await store.users.findByVerifiedEmail('alice@example.com')).toEqual(alice)
      const twin = user({
        id: randomUUID(),
        username: 'Twin',
        usernameKey: 'twin',
        email: 'alice@example.com',
        emailKey: 'alice@example.com',
      })
      // Verified: taken. Unverified: a claim that reserves nothing, and finds nobody.
      expect(await store.users.insert({ ...twin, emailVerifiedAt: 6 })).toBe('email_taken')
      expect(await store.users.insert(twin)).toBe('created')
      expect(await store.users.findByVerifiedEmail('alice@example.com')).toEqual(alice)
      // Users without an address never collide.
      for (const name of ['n1', 'n2']) {
        expect(
          await store.users.insert(user({ id: randomUUID(), username: name, usernameKey: name })),
        ).toBe('created')
      }
      const bob = user({ id: randomUUID(), username: 'Bob', usernameKey: 'bob' })
      await store.users.insert(bob)
      const taken = { email: 'a@x.io', emailKey: 'alice@example.com', verifiedAt: 9 }
      expect(await store.users.setEmail(bob.id, taken, 9)).toBe('email_taken')
      expect(await store.users.setEmail(bob.id, { ...taken, verifiedAt: null }, 9)).toBe('updated')
      const racers = await Promise.all(
        ['n1', 'n2', 'bob'].map(async (name) => {
          const who = (await store.users.findByUsernameKey(name))!
          return store.users.setEmail(
            who.id,
            { email: 'same@x.io', emailKey: 'same@x.io', verifiedAt: 9 },
            9,
          )
        }),
      )
      expect(racers.filter((r) => r === 'updated')).toHaveLength(1)
      expect(racers.filter((r) => r === 'email_taken')).toHaveLength(2)
      // Proving an address takes it from every account that only claimed it.
      await store.users.setEmail(alice.id, null, 10)
      expect(
        await store.users.setEmail(
          bob.id,
          { email: 'Alice@Example.com', emailKey: 'alice@example.com', verifiedAt: 11 },
          11,
        ),
      ).toBe('updated')
      expect(await store.users.findById(twin.id)).toMatchObject({
        email: null,
        emailKey: null,
        updatedAt: 11,
      })
      expect(await store.users.setEmail(alice.id, null, 10)).toBe('updated')
      expect(await store.users.findById(alice.id)).toMatchObject({
        email: null,
        emailKey: null,
        emailVerifiedAt: null,
        updatedAt: 10,
      })
      expect(await store.users.setEmail('missing', null, 10)).toBe('not_found')
    })

    it('hands each due message of the mail queue to one claimer, until its lease runs out', async () => {
      const mail = (id: string, nextAttemptAt: number) => ({
        id,
        to: 'kim@example.com',
        subject: 'Hello',
        text: 'text',
        html: '<p>html</p>',
        status: 'pending' as const,
        attempts: 0,
        nextAttemptAt,
        lastError: null,
        createdAt: 1,
        sentAt: null,
      })
      await store.mail.enqueue(mail('m1', 100))
      await store.mail.enqueue(mail('m2', 100))
      await store.mail.enqueue(mail('later', 500))
      await store.mail.enqueue({ ...mail('kept', 100), status: 'outbox' })
      const claims = await Promise.all(
        Array.from({ length: 5 }, () => store.mail.claimDue(200, 10, 60)),
      )
      expect(
        claims
          .flat()
          .map((m) => m.id)
          .sort(),
      ).toEqual(['m1', 'm2'])
      // Claimed and unfinished: free again once the lease is over.
      expect(await store.mail.claimDue(250, 10, 60)).toEqual([])
      expect((await store.mail.claimDue(261, 10, 60)).map((m) => m.id).sort()).toEqual(['m1', 'm2'])
      await store.mail.markSent('m1', 270)
      await store.mail.markAttemptFailed('m2', 'refused', 900)
      expect((await store.mail.claimDue(800, 10, 60)).map((m) => m.id)).toEqual(['later'])
      await store.mail.markAttemptFailed('later', 'refused again', null)
      const all = await store.mail.list({}, { limit: 10 })
      expect(
        Object.fromEntries(all.map((m) => [m.id, [m.status, m.attempts, m.lastError]])),
      ).toEqual({
        m1: ['sent', 1, null],
        m2: ['pending', 1, 'refused'],
        later: ['failed', 1, 'refused again'],
        kept: ['outbox', 0, null],
      })
      expect((await store.mail.list({ status: 'outbox' }, { limit: 10 })).map((m) => m.id)).toEqual(
        ['kept'],
      )
    })

    it('keeps one mailed token per user and purpose, spends each once, finds and purges them', async () => {
      const alice = user()
      await store.users.insert(alice)
      const token = (hash: string, purpose: 'verify' | 'reset' | 'change', expiresAt: number) => ({
        tokenHash: hash.padEnd(64, '0'),
        userId: alice.id,
        purpose,
        emailKey: 'alice@example.com',
        email: purpose === 'change' ? 'Alice@New.example' : null,
        createdAt: 10,
        expiresAt,
      })
      await store.emailTokens.issue(token('a', 'reset', 100))
      await store.emailTokens.issue(token('b', 'reset', 100))
      await store.emailTokens.issue(token('c', 'change', 100))
      await store.emailTokens.issue(token('d', 'verify', 50))
      // The second reset token replaced the first.
      expect(await store.emailTokens.find('a'.padEnd(64, '0'), 20)).toBeUndefined()
      expect(await store.emailTokens.find('b'.padEnd(64, '0'), 20)).toEqual(
        token('b', 'reset', 100),
      )
      expect(await store.emailTokens.outstanding(alice.id, 'change', 20)).toEqual(
        token('c', 'change', 100),
      )
      expect(await store.emailTokens.outstanding(alice.id, 'change', 100)).toBeUndefined()
      const spends = await Promise.all(
        Array.from({ length: 4 }, () => store.emailTokens.spend('b'.padEnd(64, '0'), 20)),
      )
      expect(spends.filter((s) => s !== undefined)).toHaveLength(1)
      expect(await store.emailTokens.spend('c'.padEnd(64, '0'), 100)).toBeUndefined()
      expect(await store.emailTokens.purgeExpired(60)).toBe(1)
      expect(await store.emailTokens.find('c'.padEnd(64, '0'), 20)).toBeDefined()
      await store.emailTokens.deleteForUser(alice.id)
      expect(await store.emailTokens.outstanding(alice.id, 'change', 20)).toBeUndefined()
    })

    it('accepts each TOTP step once, spends recovery codes and second steps once', async () => {
      const alice = user()
      await store.users.insert(alice)
      const factor = {
        id: randomUUID(),
        userId: alice.id,
        type: 'totp' as const,
        name: 'Phone',
        secretSealed: 'v1.sealed',
        lastStep: null,
        verifiedAt: null,
        createdAt: 1,
        lastUsedAt: null,
        passkey: null,
      }
      await store.mfa.insertFactor(factor)
      expect(await store.mfa.usersWithFactors([alice.id])).toEqual(new Set())
      expect(await store.mfa.verifyFactor(factor.id, 2)).toBe(true)
      expect(await store.mfa.verifyFactor(factor.id, 3)).toBe(false)
      expect(await store.mfa.usersWithFactors([alice.id, 'other'])).toEqual(new Set([alice.id]))
      const racers = await Promise.all(
        Array.from({ length: 5 }, () => store.mfa.acceptStep(factor.id, 100, 5)),
      )
      expect(racers.filter(Boolean)).toHaveLength(1)
      expect(await store.mfa.acceptStep(factor.id, 99, 6)).toBe(false)
      expect(await store.mfa.acceptStep(factor.id, 101, 7)).toBe(true)
      expect(await store.mfa.findFactor(factor.id)).toMatchObject({ lastStep: 101, lastUsedAt: 7 })

      await store.mfa.replaceRecoveryCodes(alice.id, ['a'.repeat(64), 'b'.repeat(64)], 8)
      const spends = await Promise.all(
        Array.from({ length: 4 }, () => store.mfa.spendRecoveryCode(alice.id, 'a'.repeat(64), 9)),
      )
      expect(spends.filter(Boolean)).toHaveLength(1)
      expect(await store.mfa.countRecoveryCodes(alice.id)).toBe(1)
      await store.mfa.replaceRecoveryCodes(alice.id, ['c'.repeat(64)], 10)
      expect(await store.mfa.spendRecoveryCode(alice.id, 'b'.repeat(64), 11)).toBe(false)

      const challenge = {
        tokenHash: 'd'.repeat(64),
        userId: alice.id,
        failures: 0,
        createdAt: 10,
        expiresAt: 100,
      }
      await store.mfa.createChallenge(challenge)
      expect(await store.mfa.failChallenge(challenge.tokenHash, 3)).toBe(1)
      expect(await store.mfa.findChallenge(challenge.tokenHash, 20)).toMatchObject({ failures: 1 })
      expect(await store.mfa.failChallenge(challenge.tokenHash, 2)).toBe(2)
      expect(await store.mfa.findChallenge(challenge.tokenHash, 20)).toBeUndefined()
      await store.mfa.createChallenge({ ...challenge, tokenHash: 'e'.repeat(64) })
      const wins = await Promise.all(
        Array.from({ length: 3 }, () => store.mfa.spendChallenge('e'.repeat(64), 20)),
      )
      expect(wins.filter(Boolean)).toHaveLength(1)
      expect(await store.mfa.deleteAllForUser(alice.id)).toBe(1)
      expect(await store.mfa.countRecoveryCodes(alice.id)).toBe(0)
    })

    it('finds passkeys by credential id, records their counter, and spends ceremonies once', async () => {
      const alice = user()
      await store.users.insert(alice)
      const passkey = {
        id: randomUUID(),
        userId: alice.id,
        type: 'passkey' as const,
        name: 'Laptop',
        secretSealed: null,
        lastStep: null,
        verifiedAt: 1,
        createdAt: 1,
        lastUsedAt: null,
        passkey: {
          credentialId: 'cred-1',
          publicKey: 'pk',
          counter: 0,
          transports: ['internal', 'hybrid'],
        },
      }
      await store.mfa.insertFactor(passkey)
      expect(await store.mfa.findPasskey('cred-1')).toEqual(passkey)
      expect(await store.mfa.findPasskey('cred-2')).toBeUndefined()
      await expect(store.mfa.insertFactor({ ...passkey, id: randomUUID() })).rejects.toThrow()
      await store.mfa.usePasskey(passkey.id, 7, 9)
      expect(await store.mfa.findPasskey('cred-1')).toMatchObject({
        lastUsedAt: 9,
        passkey: { counter: 7 },
      })
      const flow = {
        id: 'flow-1',
        userId: null,
        purpose: 'sign_in' as const,
        challenge: 'c',
        createdAt: 1,
        expiresAt: 50,
      }
      await store.mfa.createFlow(flow)
      const spent = await Promise.all(
        Array.from({ length: 3 }, () => store.mfa.spendFlow('flow-1', 10)),
      )
      expect(spent.filter((f) => f !== undefined)).toEqual([flow])
      await store.mfa.createFlow({ ...flow, id: 'flow-2' })
      expect(await store.mfa.spendFlow('flow-2', 50)).toBeUndefined()
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
        clientId: 'gatehouse',
        amr: ['pwd'],
        scopes: null,
        authTime: 5,
        browserSessionId: null,
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

    async function sessionFor(userId: string, createdAt: number, id = randomUUID()) {
      const session = {
        id,
        userId,
        createdAt,
        lastUsedAt: createdAt,
        expiresAt: createdAt + 1_000_000,
        ip: null,
        userAgent: null,
        revokedAt: null,
        clientId: 'gatehouse',
        amr: ['pwd'],
        scopes: null,
        authTime: createdAt,
        browserSessionId: null,
      }
      const tokenHash = `hash-${id}`
      await store.sessions.create(session, {
        tokenHash,
        sessionId: id,
        createdAt,
        expiresAt: session.expiresAt,
      })
      return { session, tokenHash }
    }

    it('rotates a refresh token exactly once under concurrency and records the successor', async () => {
      const alice = user()
      await store.users.insert(alice)
      const { session, tokenHash } = await sessionFor(alice.id, 100)
      const attempts = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.sessions.rotate(
            tokenHash,
            { tokenHash: `successor-${i}`, sessionId: session.id, createdAt: 200, expiresAt: 900 },
            200,
          ),
        ),
      )
      expect(attempts.filter(Boolean)).toHaveLength(1)
      const winner = attempts.indexOf(true)
      const old = await store.sessions.findRefreshToken(tokenHash)
      expect(old?.token).toMatchObject({ rotatedAt: 200, successorHash: `successor-${winner}` })
      const successor = await store.sessions.findRefreshToken(`successor-${winner}`)
      expect(successor?.token).toMatchObject({
        rotatedAt: null,
        successorHash: null,
        expiresAt: 900,
      })
      expect(successor?.session.lastUsedAt).toBe(200)
      // A losing rotation leaves nothing behind: no successor of its own.
      for (const [i, won] of attempts.entries()) {
        if (!won) expect(await store.sessions.findRefreshToken(`successor-${i}`)).toBeUndefined()
      }
    })

    it('refuses to rotate a token already rotated, and changes nothing', async () => {
      const alice = user()
      await store.users.insert(alice)
      const { session, tokenHash } = await sessionFor(alice.id, 100)
      const next = { sessionId: session.id, createdAt: 200, expiresAt: 900 }
      expect(await store.sessions.rotate(tokenHash, { ...next, tokenHash: 'next-1' }, 200)).toBe(
        true,
      )
      expect(await store.sessions.rotate(tokenHash, { ...next, tokenHash: 'next-2' }, 300)).toBe(
        false,
      )
      expect(
        await store.sessions.rotate('hash-unknown', { ...next, tokenHash: 'next-3' }, 300),
      ).toBe(false)
      const old = await store.sessions.findRefreshToken(tokenHash)
      expect(old?.token).toMatchObject({ rotatedAt: 200, successorHash: 'next-1' })
      expect(old?.session.lastUsedAt).toBe(200)
      expect(await store.sessions.findRefreshToken('next-2')).toBeUndefined()
      expect(await store.sessions.findRefreshToken('next-3')).toBeUndefined()
    })

    it('revokes sessions one by one or per user, sparing one, each only once', async () => {
      const alice = user()
      const bob = user({ id: randomUUID(), username: 'Bob', usernameKey: 'bob' })
      await store.users.insert(alice)
      await store.users.insert(bob)
      const a = await Promise.all([1, 2, 3].map((n) => sessionFor(alice.id, n)))
      const b = await sessionFor(bob.id, 4)

      expect(await store.sessions.revoke(a[0]!.session.id, 10)).toBe(true)
      expect(await store.sessions.revoke(a[0]!.session.id, 11)).toBe(false)
      expect(await store.sessions.revoke('missing', 11)).toBe(false)
      expect((await store.sessions.findById(a[0]!.session.id))?.revokedAt).toBe(10)

      const revoked = await store.sessions.revokeAllForUser(alice.id, 20, a[2]!.session.id)
      expect(revoked).toEqual([a[1]!.session.id])
      expect((await store.sessions.revokeAllForUser(alice.id, 30)).sort()).toEqual([
        a[2]!.session.id,
      ])
      expect((await store.sessions.findById(b.session.id))?.revokedAt).toBeNull()
    })

    it('lists live sessions newest first with keyset pages, skipping revoked and expired ones', async () => {
      const alice = user()
      await store.users.insert(alice)
      const made = []
      for (let n = 1; n <= 5; n++) made.push((await sessionFor(alice.id, n * 10)).session)
      await store.sessions.revoke(made[1]!.id, 60)
      const page1 = await store.sessions.listActiveForUser(alice.id, 100, { limit: 2 })
      expect(page1.map((s) => s.createdAt)).toEqual([50, 40])
      const last = page1[1]!
      const page2 = await store.sessions.listActiveForUser(alice.id, 100, {
        limit: 5,
        after: { at: last.createdAt, id: last.id },
      })
      expect(page2.map((s) => s.createdAt)).toEqual([30, 10])
      // Sessions past their absolute end are not live.
      expect(await store.sessions.listActiveForUser(alice.id, 2_000_000, { limit: 5 })).toEqual([])
    })

    it('keeps denylist entries until they expire, with the later expiry on conflict', async () => {
      await store.revocations.add({ kind: 'jti', value: 'j1', expiresAt: 100 }, 1)
      await store.revocations.add({ kind: 'sid', value: 'j1', expiresAt: 300 }, 1)
      await store.revocations.add({ kind: 'jti', value: 'j1', expiresAt: 50 }, 2)
      await store.revocations.add({ kind: 'jti', value: 'j2', expiresAt: 200 }, 2)
      const active = await store.revocations.listActive(99)
      expect(active.sort((x, y) => x.expiresAt - y.expiresAt)).toEqual([
        { kind: 'jti', value: 'j1', expiresAt: 100 },
        { kind: 'jti', value: 'j2', expiresAt: 200 },
        { kind: 'sid', value: 'j1', expiresAt: 300 },
      ])
      await store.revocations.add({ kind: 'sub', value: 'u', expiresAt: 500, before: '0190' }, 3)
      await store.revocations.add({ kind: 'sub', value: 'u', expiresAt: 400, before: '0192' }, 4)
      await store.revocations.add({ kind: 'sub', value: 'u', expiresAt: 400, before: '0100' }, 5)
      await store.revocations.add({ kind: 'sub', value: 'all', expiresAt: 400, before: '0100' }, 5)
      await store.revocations.add({ kind: 'sub', value: 'all', expiresAt: 400 }, 6)
      const subs = (await store.revocations.listActive(300)).filter((e) => e.kind === 'sub')
      expect(subs.sort((x, y) => x.value.localeCompare(y.value))).toEqual([
        { kind: 'sub', value: 'all', expiresAt: 400 },
        { kind: 'sub', value: 'u', expiresAt: 500, before: '0192' },
      ])
      expect(await store.revocations.purgeExpired(200)).toBe(2)
      const left = await store.revocations.listActive(0)
      expect(left.map((e) => `${e.kind}:${e.value}`).sort()).toEqual(['sid:j1', 'sub:all', 'sub:u'])
    })

    it('appends audit events and lists them newest first, filtered and paged', async () => {
      const alice = user()
      await store.users.insert(alice)
      const event = (n: number, type: 'login_success' | 'logout', userId: string | null) => ({
        id: `0000000${n}`,
        type,
        userId,
        ip: '127.0.0.1',
        userAgent: 'ua',
        at: n * 10,
        details: { n, nested: { ok: true } },
      })
      for (const e of [
        event(1, 'login_success', alice.id),
        event(2, 'logout', alice.id),
        event(3, 'login_success', null),
        event(4, 'login_success', alice.id),
      ]) {
        await store.audit.append(e)
      }
      const all = await store.audit.list({}, { limit: 10 })
      expect(all.map((e) => e.at)).toEqual([40, 30, 20, 10])
      expect(all[0]).toEqual(event(4, 'login_success', alice.id))
      expect(
        (await store.audit.list({ userId: alice.id, type: 'login_success' }, { limit: 10 })).map(
          (e) => e.at,
        ),
      ).toEqual([40, 10])
      expect(
        (await store.audit.list({ since: 20, until: 40 }, { limit: 10 })).map((e) => e.at),
      ).toEqual([30, 20])
      const page = await store.audit.list({}, { limit: 2, after: { at: 30, id: '00000003' } })
      expect(page.map((e) => e.at)).toEqual([20, 10])

      const oldest = await store.audit.listOldestFirst({ since: 20 }, { limit: 2 })
      expect(oldest.map((e) => e.at)).toEqual([20, 30])
      const rest = await store.audit.listOldestFirst(
        { since: 20 },
        { limit: 10, after: { at: 30, id: '00000003' } },
      )
      expect(rest).toEqual([event(4, 'login_success', alice.id)])

      expect(await store.audit.deleteBefore(25)).toBe(2)
      expect(await store.audit.deleteBefore(25)).toBe(0)
      expect((await store.audit.list({}, { limit: 10 })).map((e) => e.at)).toEqual([40, 30])
    })

    it('deletes old audit events in batches until none is left', async () => {
      for (let n = 0; n < 12_000; n++) {
        await store.audit.append({
          id: `b${String(n).padStart(6, '0')}`,
          type: 'refresh',
          userId: null,
          ip: null,
          userAgent: null,
          at: n < 11_000 ? n : 1_000_000 + n,
          details: {},
        })
      }
      expect(await store.audit.deleteBefore(1_000_000)).toBe(11_000)
      expect(await store.audit.list({}, { limit: 2_000 })).toHaveLength(1_000)
    })

    it('finds an API key by hash with its owner, every field intact, and revokes it once', async () => {
      const alice = user()
      await store.users.insert(alice)
      const key = {
        id: randomUUID(),
        userId: alice.id,
        name: 'deploy bot',
        keyHash: 'k'.repeat(64),
        prefix: 'gthk_abcd',
        last4: 'wxyz',
        scopes: ['data:read'],
        createdAt: 1_700_000_000_456,
        lastUsedAt: null,
        expiresAt: 1_800_000_000_000,
        revokedAt: null,
      }
      await store.apiKeys.insert(key)
      expect(await store.apiKeys.findByHash(key.keyHash)).toEqual({ key, owner: alice })
      expect(await store.apiKeys.findByHash('missing')).toBeUndefined()
      expect(await store.apiKeys.revoke(alice.id, key.id, 5)).toBe(true)
      expect(await store.apiKeys.revoke(alice.id, key.id, 6)).toBe(false)
      expect((await store.apiKeys.findByHash(key.keyHash))?.key.revokedAt).toBe(5)
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

    it('keeps one current and one next signing key per ring', async () => {
      const idRing = (status: SigningKeyRecord['status']) => ({ ...key(status), ring: 'id:RS256' })
      expect(await store.signingKeys.insertIfSlotFree(key('current'))).toBe(true)
      expect(await store.signingKeys.insertIfSlotFree(idRing('current'))).toBe(true)
      expect(await store.signingKeys.insertIfSlotFree(idRing('current'))).toBe(false)
      const next = idRing('next')
      expect(await store.signingKeys.insertIfSlotFree(next)).toBe(true)
      const current = (await store.signingKeys.list()).find(
        (k) => k.ring === 'id:RS256' && k.status === 'current',
      )!
      // Rotating one ring leaves the other alone.
      expect(await store.signingKeys.rotate('id:RS256', current.kid, idRing('next'), 10)).toBe(true)
      const rings = (await store.signingKeys.list()).map((k) => `${k.ring} ${k.status}`).sort()
      expect(rings).toEqual([
        'access current',
        'id:RS256 current',
        'id:RS256 next',
        'id:RS256 retired',
      ])
      expect((await store.signingKeys.list()).find((k) => k.kid === next.kid)?.status).toBe(
        'current',
      )
    })

    async function appClient(id = randomUUID()) {
      await store.clients.insert({
        id,
        name: 'wiki',
        secretHash: null,
        scopes: ['openid'],
        createdAt: 1,
        introspect: false,
        redirectUris: ['https://app.example/cb'],
        postLogoutRedirectUris: ['https://app.example/'],
        grantTypes: ['authorization_code', 'refresh_token'],
        tokenEndpointAuthMethod: 'none',
        skipConsent: true,
        idTokenAlg: 'ES256',
      })
      return id
    }

    it('keeps an app client’s registration intact, a public one without a secret', async () => {
      const id = await appClient()
      expect(await store.clients.findById(id)).toEqual({
        id,
        name: 'wiki',
        secretHash: null,
        scopes: ['openid'],
        createdAt: 1,
        introspect: false,
        redirectUris: ['https://app.example/cb'],
        postLogoutRedirectUris: ['https://app.example/'],
        grantTypes: ['authorization_code', 'refresh_token'],
        tokenEndpointAuthMethod: 'none',
        skipConsent: true,
        idTokenAlg: 'ES256',
      })
    })

    it('spends an authorization code once under concurrency, and marks a reuse', async () => {
      const alice = user()
      await store.users.insert(alice)
      const clientId = await appClient()
      const code = {
        codeHash: 'c'.repeat(64),
        clientId,
        userId: alice.id,
        redirectUri: 'https://app.example/cb',
        codeChallenge: 'x'.repeat(43),
        scopes: ['openid', 'profile'],
        nonce: 'n',
        authTime: 5,
        amr: ['pwd', 'otp', 'mfa'],
        browserSessionId: 'browser-1',
        createdAt: 10,
        expiresAt: 70,
      }
      await store.authorizationCodes.insert(code)
      expect(await store.authorizationCodes.find(code.codeHash)).toEqual({ code, usedAt: null })
      const spent = await Promise.all(
        Array.from({ length: 5 }, () => store.authorizationCodes.spend(code.codeHash, 20)),
      )
      expect(spent.filter(Boolean)).toHaveLength(1)
      expect(await store.authorizationCodes.attachSession(code.codeHash, 'session-1')).toBe(true)
      expect(await store.authorizationCodes.markReused(code.codeHash, 30)).toBe('session-1')
      // Once reused, the session can no longer be attached (a racing first use ends it).
      expect(await store.authorizationCodes.attachSession(code.codeHash, 'session-2')).toBe(false)
      expect(await store.authorizationCodes.find('missing')).toBeUndefined()
      expect(await store.authorizationCodes.purgeExpired(71)).toBe(1)
      expect(await store.authorizationCodes.find(code.codeHash)).toBeUndefined()
    })

    it('voids a user’s live codes, of one client or all: unused ones cannot be spent, in-flight ones cannot attach', async () => {
      const alice = user()
      const bob = user({ username: 'Bob', usernameKey: 'bob' })
      await store.users.insert(alice)
      await store.users.insert(bob)
      const first = await appClient()
      const second = await appClient()
      const code = (n: string, userId: string, clientId: string) => ({
        codeHash: n.repeat(64),
        clientId,
        userId,
        redirectUri: 'https://app.example/cb',
        codeChallenge: 'x'.repeat(43),
        scopes: ['openid'],
        nonce: null,
        authTime: 5,
        amr: ['pwd'],
        browserSessionId: null,
        createdAt: 10,
        expiresAt: 70,
      })
      for (const c of [
        code('a', alice.id, first),
        code('b', alice.id, second),
        code('c', bob.id, first),
        code('d', alice.id, first),
      ]) {
        await store.authorizationCodes.insert(c)
      }
      // `d` is being exchanged: spent, its session not attached yet.
      expect(await store.authorizationCodes.spend('d'.repeat(64), 15)).toBe(true)
      expect(await store.authorizationCodes.voidForUser(alice.id, first, 20)).toBe(2)
      expect(await store.authorizationCodes.spend('a'.repeat(64), 21)).toBe(false)
      expect(await store.authorizationCodes.attachSession('d'.repeat(64), 's')).toBe(false)
      // Another client's code and another user's are untouched…
      expect(await store.authorizationCodes.spend('c'.repeat(64), 21)).toBe(true)
      // …until every client's codes of the user are voided; expired ones are left alone.
      expect(await store.authorizationCodes.voidForUser(alice.id, null, 20)).toBe(1)
      expect(await store.authorizationCodes.spend('b'.repeat(64), 21)).toBe(false)
      expect(await store.authorizationCodes.voidForUser(bob.id, null, 80)).toBe(0)
    })

    it('remembers consent per user and client, lists it newest first, and forgets it', async () => {
      const alice = user()
      await store.users.insert(alice)
      const first = await appClient()
      const second = await appClient()
      const consent = {
        userId: alice.id,
        clientId: first,
        scopes: ['openid'],
        createdAt: 1,
        updatedAt: 1,
      }
      await store.consents.save(consent)
      await store.consents.save({ ...consent, clientId: second, createdAt: 2, updatedAt: 2 })
      await store.consents.save({ ...consent, scopes: ['openid', 'email'], updatedAt: 3 })
      expect(await store.consents.find(alice.id, first)).toEqual({
        ...consent,
        scopes: ['openid', 'email'],
        updatedAt: 3,
      })
      const page1 = await store.consents.listForUser(alice.id, { limit: 1 })
      expect(page1.map((c) => c.clientId)).toEqual([first])
      const page2 = await store.consents.listForUser(alice.id, {
        limit: 5,
        after: { at: 3, id: first },
      })
      expect(page2.map((c) => c.clientId)).toEqual([second])
      expect(await store.consents.delete(alice.id, first)).toBe(true)
      expect(await store.consents.delete(alice.id, first)).toBe(false)
      expect(await store.consents.find(alice.id, first)).toBeUndefined()
    })

    it('keeps an app session’s scopes and sign-in time, and revokes a user’s sessions with one app', async () => {
      const alice = user()
      await store.users.insert(alice)
      const { session: own } = await sessionFor(alice.id, 100)
      const app = {
        ...own,
        id: randomUUID(),
        clientId: 'wiki',
        scopes: ['openid'],
        authTime: 40,
        browserSessionId: own.id,
      }
      await store.sessions.create(app, {
        tokenHash: `hash-${app.id}`,
        sessionId: app.id,
        createdAt: 100,
        expiresAt: app.expiresAt,
      })
      expect(await store.sessions.findById(app.id)).toEqual(app)
      expect(await store.sessions.findById(own.id)).toEqual(own)
      expect(await store.sessions.revokeAllForUserAndClient(alice.id, 'wiki', 200)).toEqual([
        app.id,
      ])
      expect(await store.sessions.revokeAllForUserAndClient(alice.id, 'wiki', 201)).toEqual([])
      expect((await store.sessions.findById(own.id))?.revokedAt).toBeNull()
      const again = { ...app, id: randomUUID() }
      await store.sessions.create(again, {
        tokenHash: `hash-${again.id}`,
        sessionId: again.id,
        createdAt: 100,
        expiresAt: again.expiresAt,
      })
      expect(await store.sessions.revokeAllForClient('wiki', 300)).toEqual([again.id])
      expect((await store.sessions.findById(own.id))?.revokedAt).toBeNull()
    })
  })
}
