import { runMaintenance } from '../../src/auth/maintenance.js'
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer, buildTestApp, json, loginAs, type TestApp } from '../helpers/build-test-app.js'

let t: TestApp
let admin: string
beforeEach(async () => {
  t = await buildTestApp({ demo: true })
  admin = (await loginAs(t, 'admin', 'adminpass')).access_token
})
afterEach(() => t.close())

const ADMIN_ROUTES: [string, string][] = [
  ['GET', '/admin/users'],
  ['POST', '/admin/users'],
  ['GET', '/admin/users/x'],
  ['PATCH', '/admin/users/x'],
  ['DELETE', '/admin/users/x'],
  ['GET', '/admin/audit'],
  ['GET', '/admin/clients'],
  ['POST', '/admin/clients'],
  ['DELETE', '/admin/clients/x'],
  ['GET', '/admin/keys'],
  ['POST', '/admin/keys/rotate'],
]

async function userId(name: string): Promise<string> {
  const res = await t.inject({ url: `/admin/users?search=${name}`, headers: bearer(admin) })
  const user = res
    .json<{ items: { id: string; username: string }[] }>()
    .items.find((u) => u.username === name)
  if (!user) throw new Error(`no user ${name}`)
  return user.id
}

const patch = (id: string, body: object) =>
  t.inject({ method: 'PATCH', url: `/admin/users/${id}`, ...json(body, bearer(admin)) })

describe('access to /admin/*', () => {
  it('is 403 for a non-admin on every route, 401 without a token', async () => {
    const user = (await loginAs(t, 'user1', 'password1')).access_token
    for (const [method, url] of ADMIN_ROUTES) {
      const forbidden = await t.inject({
        method: method,
        url,
        headers: bearer(user),
        ...(method !== 'GET' && method !== 'DELETE' && json({}, bearer(user))),
      })
      expect(forbidden.statusCode, `${method} ${url}`).toBe(403)
      expect(forbidden.json()).toMatchObject({ error: 'insufficient_scope' })
      const anonymous = await t.inject({ method: method, url })
      expect(anonymous.statusCode, `${method} ${url}`).toBe(401)
    }
  })
})

describe('users', () => {
  it('lists with search and cursor pagination, newest first', async () => {
    for (const name of ['alpha1', 'alpha2', 'beta1']) {
      await t.inject({
        method: 'POST',
        url: '/register',
        ...json({ username: name, password: 'a long enough passphrase' }),
      })
      t.clock.advance(1)
    }
    const page1 = await t.inject({
      url: '/admin/users?search=ALPHA&limit=1',
      headers: bearer(admin),
    })
    const body1 = page1.json<{
      items: { username: string; disabled: boolean }[]
      next_cursor: string
    }>()
    expect(body1.items.map((u) => u.username)).toEqual(['alpha2'])
    expect(body1.items[0]).toMatchObject({ disabled: false })
    const page2 = await t.inject({
      url: `/admin/users?search=alpha&limit=1&cursor=${body1.next_cursor}`,
      headers: bearer(admin),
    })
    expect(page2.json<{ items: { username: string }[]; next_cursor: null }>()).toMatchObject({
      items: [{ username: 'alpha1' }],
      next_cursor: null,
    })
    // LIKE wildcards in the search are literal characters.
    const wild = await t.inject({ url: '/admin/users?search=%25', headers: bearer(admin) })
    expect(wild.json<{ items: unknown[] }>().items).toEqual([])
    const all = await t.inject({ url: '/admin/users?limit=100', headers: bearer(admin) })
    expect(all.json<{ items: unknown[] }>().items).toHaveLength(6)
  })

  it('creates a user with roles under the same rules as /register, and reads one', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/admin/users',
      ...json(
        { username: 'carol', password: 'carol has a passphrase', roles: ['auditor'] },
        bearer(admin),
      ),
    })
    expect(res.statusCode, res.body).toBe(201)
    const created = res.json<{ id: string }>()
    expect(created).toMatchObject({ username: 'carol', roles: ['auditor'], disabled: false })
    expect(
      (await t.inject({ url: `/admin/users/${created.id}`, headers: bearer(admin) })).json(),
    ).toEqual(created)
    const weak = await t.inject({
      method: 'POST',
      url: '/admin/users',
      ...json({ username: 'dave', password: 'password' }, bearer(admin)),
    })
    expect(weak.json()).toMatchObject({ error: 'weak_password' })
    const taken = await t.inject({
      method: 'POST',
      url: '/admin/users',
      ...json({ username: 'CAROL', password: 'another passphrase' }, bearer(admin)),
    })
    expect(taken.json()).toMatchObject({ error: 'username_taken' })
    expect((await t.inject({ url: '/admin/users/nope', headers: bearer(admin) })).statusCode).toBe(
      404,
    )
    expect((await loginAs(t, 'carol', 'carol has a passphrase')).access_token).toBeTruthy()
  })

  it('a role change cuts off current tokens at once; a refresh or the next login carries the new role', async () => {
    const before = await loginAs(t, 'user1', 'password1')
    expect(
      (await t.inject({ url: '/admin', headers: bearer(before.access_token) })).statusCode,
    ).toBe(403)
    const res = await patch(await userId('user1'), { roles: ['admin'] })
    expect(res.json()).toMatchObject({ roles: ['admin'] })

    expect(
      (await t.inject({ url: '/protected', headers: bearer(before.access_token) })).json(),
    ).toMatchObject({ error: 'token_revoked' })
    const refreshed = (
      await t.inject({
        method: 'POST',
        url: '/refresh',
        ...json({ refresh_token: before.refresh_token }),
      })
    ).json<{ access_token: string }>()
    expect(decodeJwt(refreshed.access_token)['roles']).toEqual(['admin'])
    expect(
      (await t.inject({ url: '/admin', headers: bearer(refreshed.access_token) })).statusCode,
    ).toBe(200)
    const next = await loginAs(t, 'user1', 'password1')
    expect((await t.inject({ url: '/admin', headers: bearer(next.access_token) })).statusCode).toBe(
      200,
    )
  })

  it('disabling ends every session and key at once; login then says user_disabled only with the right password', async () => {
    const session = await loginAs(t, 'user1', 'password1')
    const key = (
      await t.inject({
        method: 'POST',
        url: '/api-keys',
        ...json({ name: 'k' }, bearer(session.access_token)),
      })
    ).json<{ key: string }>().key
    expect((await t.inject({ url: '/protected', headers: bearer(key) })).statusCode).toBe(200)

    const id = await userId('user1')
    expect((await patch(id, { disabled: true })).json()).toMatchObject({ disabled: true })
    expect(
      (await t.inject({ url: '/protected', headers: bearer(session.access_token) })).statusCode,
    ).toBe(401)
    expect((await t.inject({ url: '/protected', headers: bearer(key) })).statusCode).toBe(401)
    expect(
      (
        await t.inject({
          method: 'POST',
          url: '/refresh',
          ...json({ refresh_token: session.refresh_token }),
        })
      ).statusCode,
    ).toBe(401)

    const right = await t.inject({
      method: 'POST',
      url: '/login',
      ...json({ username: 'user1', password: 'password1' }),
    })
    expect(right.statusCode).toBe(403)
    expect(right.json()).toMatchObject({ error: 'user_disabled' })
    const wrong = await t.inject({
      method: 'POST',
      url: '/login',
      ...json({ username: 'user1', password: 'nope-nope' }),
    })
    expect(wrong.statusCode).toBe(401)

    await patch(id, { disabled: false })
    expect((await loginAs(t, 'user1', 'password1')).access_token).toBeTruthy()
    // Enabling again does not bring back the ended sessions and keys.
    expect(
      (await t.inject({ url: '/protected', headers: bearer(session.access_token) })).statusCode,
    ).toBe(401)
    expect((await t.inject({ url: '/protected', headers: bearer(key) })).statusCode).toBe(401)
  })

  it('refuses bad patches', async () => {
    const id = await userId('user1')
    for (const body of [
      {},
      { roles: 'admin' },
      { roles: ['Not Valid'] },
      { disabled: 'yes' },
      { username: 'x' },
    ]) {
      expect((await patch(id, body)).statusCode, JSON.stringify(body)).toBe(400)
    }
    expect((await patch('nope', { disabled: true })).statusCode).toBe(404)
  })

  it('deletes a user with their sessions and keys', async () => {
    const session = await loginAs(t, 'user2', 'password2')
    const id = await userId('user2')
    expect(
      (await t.inject({ method: 'DELETE', url: `/admin/users/${id}`, headers: bearer(admin) }))
        .statusCode,
    ).toBe(204)
    expect(
      (await t.inject({ url: '/protected', headers: bearer(session.access_token) })).statusCode,
    ).toBe(401)
    expect(
      (
        await t.inject({
          method: 'POST',
          url: '/login',
          ...json({ username: 'user2', password: 'password2' }),
        })
      ).statusCode,
    ).toBe(401)
    expect(
      (await t.inject({ method: 'DELETE', url: `/admin/users/${id}`, headers: bearer(admin) }))
        .statusCode,
    ).toBe(404)
  })
})

describe('GET /admin/audit', () => {
  it('filters by user, type and time, newest first, with the documented item shape', async () => {
    // After the demo users' creation at start-up.
    t.clock.advance(1)
    const start = new Date(t.clock.now()).toISOString()
    await t.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/json', 'user-agent': 'ua-1' },
      payload: JSON.stringify({ username: 'user1', password: 'wrong-one' }),
    })
    t.clock.advance(60)
    await loginAs(t, 'user1', 'password1')
    const id = await userId('user1')

    const res = await t.inject({ url: `/admin/audit?user_id=${id}`, headers: bearer(admin) })
    const items = res.json<{ items: Record<string, unknown>[] }>().items
    // The oldest is the demo user's creation at start-up.
    expect(items.map((e) => e['type'])).toEqual(['login_success', 'login_failure', 'user_created'])
    expect(Object.keys(items[1]!).sort()).toEqual([
      'at',
      'details',
      'id',
      'ip',
      'type',
      'user_agent',
      'user_id',
    ])
    expect(items[1]).toMatchObject({
      user_id: id,
      ip: '127.0.0.1',
      user_agent: 'ua-1',
      at: start,
      details: { reason: 'wrong_password' },
    })

    const failures = await t.inject({
      url: '/admin/audit?type=login_failure',
      headers: bearer(admin),
    })
    expect(
      failures.json<{ items: { type: string }[] }>().items.every((e) => e.type === 'login_failure'),
    ).toBe(true)
    const until = new Date(t.clock.now()).toISOString()
    const early = await t.inject({
      url: `/admin/audit?user_id=${id}&since=${start}&until=${until}`,
      headers: bearer(admin),
    })
    expect(early.json<{ items: { type: string }[] }>().items.map((e) => e.type)).toEqual([
      'login_failure',
    ])
    const paged = await t.inject({ url: '/admin/audit?limit=1', headers: bearer(admin) })
    expect(paged.json<{ next_cursor: string | null }>().next_cursor).toEqual(expect.any(String))

    for (const bad of ['type=nonsense', 'since=yesterday', 'limit=0', 'cursor=%%%']) {
      expect(
        (await t.inject({ url: `/admin/audit?${bad}`, headers: bearer(admin) })).statusCode,
        bad,
      ).toBe(400)
    }
  })
})

describe('signing-key rotation', () => {
  it('promotes the published next key; old tokens verify until they expire, then the old key leaves the JWKS', async () => {
    const jwks = async () =>
      (await t.inject({ url: '/.well-known/jwks.json' }))
        .json<{ keys: { kid: string }[] }>()
        .keys.map((k) => k.kid)
    const before = await loginAs(t, 'user1', 'password1')
    const [oldCurrent, oldNext] = await jwks()
    expect(decodeProtectedHeader(before.access_token).kid).toBe(oldCurrent)

    const res = await t.inject({
      method: 'POST',
      url: '/admin/keys/rotate',
      headers: bearer(admin),
    })
    expect(res.statusCode).toBe(200)
    const { current_kid, next_kid } = res.json<{ current_kid: string; next_kid: string }>()
    expect(current_kid).toBe(oldNext)
    expect(await jwks()).toEqual([oldCurrent, oldNext, next_kid])

    const after = await loginAs(t, 'user1', 'password1')
    expect(decodeProtectedHeader(after.access_token).kid).toBe(oldNext)
    // A resource server holding the JWKS verifies both generations with jose alone.
    const keySet = createLocalJWKSet((await t.inject({ url: '/.well-known/jwks.json' })).json())
    for (const token of [before.access_token, after.access_token]) {
      const { payload } = await jwtVerify(token, keySet, {
        issuer: 'http://127.0.0.1:8080',
        audience: 'gatehouse',
        currentDate: new Date(t.clock.now()),
      })
      expect(payload['username']).toBe('user1')
    }
    expect(
      (await t.inject({ url: '/protected', headers: bearer(before.access_token) })).statusCode,
    ).toBe(200)
    expect(
      (await t.inject({ url: '/protected', headers: bearer(after.access_token) })).statusCode,
    ).toBe(200)

    t.clock.advance(900 + 5 + 1)
    expect(await jwks()).toEqual([oldNext, next_kid])
    const keys = await t.inject({
      url: '/admin/keys',
      headers: bearer((await loginAs(t, 'admin', 'adminpass')).access_token),
    })
    expect(
      keys.json<{ items: { kid: string; status: string }[] }>().items.map((k) => [k.kid, k.status]),
    ).toEqual([
      [oldNext, 'current'],
      [next_kid, 'next'],
    ])
  })

  it('two rotations racing promote one key each time, never two', async () => {
    const results = await Promise.all(
      [1, 2].map(() =>
        t.inject({ method: 'POST', url: '/admin/keys/rotate', headers: bearer(admin) }),
      ),
    )
    expect(results.map((r) => r.statusCode)).toEqual([200, 200])
    const { keys } = (await t.inject({ url: '/.well-known/jwks.json' })).json<{ keys: unknown[] }>()
    expect(keys.length).toBeGreaterThanOrEqual(3)
    expect(keys.length).toBeLessThanOrEqual(4)
    const listed = (await t.inject({ url: '/admin/keys', headers: bearer(admin) })).json<{
      items: { status: string }[]
    }>().items
    expect(listed.filter((k) => k.status === 'current')).toHaveLength(1)
    expect(listed.filter((k) => k.status === 'next')).toHaveLength(1)
  })
})

describe('automatic key rotation', () => {
  it('rotates when the current key is older than the interval, at the next maintenance run', async () => {
    const auto = await buildTestApp({ demo: true, keyRotationInterval: 3600 })
    try {
      const kids = async () =>
        (await auto.inject({ url: '/.well-known/jwks.json' }))
          .json<{ keys: { kid: string }[] }>()
          .keys.map((k) => k.kid)
      const [current, next] = await kids()
      await runMaintenance(auto.core.auth)
      expect(await kids()).toEqual([current, next])
      auto.clock.advance(3600)
      await runMaintenance(auto.core.auth)
      const after = await kids()
      expect(after.slice(0, 2)).toEqual([current, next])
      expect(after).toHaveLength(3)
      const token = (await loginAs(auto, 'user1', 'password1')).access_token
      expect(decodeProtectedHeader(token).kid).toBe(next)
    } finally {
      await auto.close()
    }
  })
})
