import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer, buildTestApp, json, loginAs, type TestApp } from '../helpers/build-test-app.js'

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp({ demo: true })
})
afterEach(() => t.close())

interface CreatedKey {
  id: string
  key: string
  name: string
  scopes: string[]
  created_at: string
  expires_at: string | null
}

async function createKey(token: string, body: object = { name: 'ci' }) {
  return t.inject({ method: 'POST', url: '/api-keys', ...json(body, bearer(token)) })
}

async function newKey(
  body: object = { name: 'ci' },
  user: readonly [string, string] = ['user1', 'password1'],
) {
  const login = await loginAs(t, user[0], user[1])
  const res = await createKey(login.access_token, body)
  expect(res.statusCode, res.body).toBe(201)
  return { login, created: res.json<CreatedKey>() }
}

describe('POST /api-keys', () => {
  it('creates a key shown once, in the documented format, not cacheable', async () => {
    const login = await loginAs(t, 'user1', 'password1')
    const res = await createKey(login.access_token, { name: 'deploy bot' })
    expect(res.statusCode).toBe(201)
    expect(res.headers['cache-control']).toBe('no-store')
    const body = res.json<CreatedKey>()
    expect(Object.keys(body).sort()).toEqual([
      'created_at',
      'expires_at',
      'id',
      'key',
      'name',
      'scopes',
    ])
    expect(body).toMatchObject({ name: 'deploy bot', scopes: ['data:read'], expires_at: null })
    expect(body.key).toMatch(/^gthk_[A-Za-z0-9_-]{43}_[A-Za-z0-9_-]{6}$/)
  })

  it('needs a fresh login: a refreshed token or an API key cannot create keys', async () => {
    const login = await loginAs(t, 'user1', 'password1')
    const refreshed = (
      await t.inject({
        method: 'POST',
        url: '/refresh',
        ...json({ refresh_token: login.refresh_token }),
      })
    ).json<{ access_token: string }>()
    const stale = await createKey(refreshed.access_token)
    expect(stale.statusCode).toBe(401)
    expect(stale.json()).toMatchObject({ error: 'fresh_token_required' })
    const { created } = await newKey()
    expect((await createKey(created.key)).statusCode).toBe(403)
  })

  it('grants at most the owner’s scopes and validates the input', async () => {
    const login = await loginAs(t, 'user1', 'password1')
    const beyond = await createKey(login.access_token, {
      name: 'x',
      scopes: ['data:read', 'admin:all'],
    })
    expect(beyond.statusCode).toBe(400)
    expect(beyond.json()).toMatchObject({ error: 'invalid_scope' })
    for (const body of [
      {},
      { name: '' },
      { name: 'x'.repeat(129) },
      { name: 'a\u0000b' },
      { name: 'x', expires_in: 5 },
      { name: 'x', role: 'admin' },
    ]) {
      const res = await createKey(login.access_token, body)
      expect(res.statusCode, JSON.stringify(body)).toBe(400)
    }
  })
})

describe('using an API key', () => {
  it('works as a Bearer token and as X-API-Key on protected routes, with its scopes', async () => {
    const { created } = await newKey()
    for (const headers of [bearer(created.key), { 'x-api-key': created.key }]) {
      expect((await t.inject({ url: '/protected', headers })).json()).toEqual({
        logged_in_as: 'user1',
      })
      expect((await t.inject({ url: '/data', headers })).json()).toEqual({
        data: 'Sensitive data for user1',
      })
      expect((await t.inject({ url: '/me', headers })).json()).toMatchObject({ username: 'user1' })
    }
  })

  it('a key without data:read reaches /protected but not /data', async () => {
    const { created } = await newKey({ name: 'narrow', scopes: [] })
    expect((await t.inject({ url: '/protected', headers: bearer(created.key) })).statusCode).toBe(
      200,
    )
    const data = await t.inject({ url: '/data', headers: bearer(created.key) })
    expect(data.statusCode).toBe(403)
    expect(data.json()).toMatchObject({ error: 'insufficient_scope' })
  })

  it('never carries roles: an admin’s key cannot administer, nor manage sessions', async () => {
    const { created } = await newKey({ name: 'admin key' }, ['admin', 'adminpass'])
    const headers = bearer(created.key)
    expect((await t.inject({ url: '/admin', headers })).statusCode).toBe(403)
    expect((await t.inject({ url: '/admin/users', headers })).statusCode).toBe(403)
    expect((await t.inject({ method: 'POST', url: '/logout', headers })).statusCode).toBe(403)
    expect((await t.inject({ url: '/sessions', headers })).statusCode).toBe(403)
    expect((await t.inject({ url: '/api-keys', headers })).statusCode).toBe(403)
  })

  it('refuses mistyped keys by checksum, without a database lookup', async () => {
    const { created } = await newKey()
    const lookups = { count: 0 }
    const original = t.core.store.apiKeys.findByHash.bind(t.core.store.apiKeys)
    t.core.store.apiKeys.findByHash = (hash) => (lookups.count++, original(hash))
    const body = created.key.slice(5, 48)
    const typo = `gthk_${body[0] === 'a' ? 'b' : 'a'}${body.slice(1)}${created.key.slice(48)}`
    for (const bad of [typo, created.key.slice(0, -1), `${created.key}x`, 'gthk_nonsense']) {
      const res = await t.inject({ url: '/protected', headers: bearer(bad) })
      expect(res.statusCode).toBe(401)
      expect(res.json()).toMatchObject({ error: 'invalid_token' })
    }
    expect(lookups.count).toBe(0)
  })

  it('stops working at once when revoked, and expires when its time is up', async () => {
    const { login, created } = await newKey({ name: 'short', expires_in: 120 })
    expect((await t.inject({ url: '/protected', headers: bearer(created.key) })).statusCode).toBe(
      200,
    )
    t.clock.advance(121)
    const expired = await t.inject({ url: '/protected', headers: bearer(created.key) })
    expect(expired.statusCode).toBe(401)
    expect(expired.json()).toMatchObject({ error: 'token_expired' })

    const second = (await createKey(login.access_token, { name: 'second' })).json<CreatedKey>()
    expect((await t.inject({ url: '/protected', headers: bearer(second.key) })).statusCode).toBe(
      200,
    )
    const del = await t.inject({
      method: 'DELETE',
      url: `/api-keys/${second.id}`,
      headers: bearer(login.access_token),
    })
    expect(del.statusCode).toBe(204)
    const revoked = await t.inject({ url: '/protected', headers: bearer(second.key) })
    expect(revoked.statusCode).toBe(401)
    expect(revoked.json()).toMatchObject({ error: 'invalid_token' })
    expect(
      (
        await t.inject({
          method: 'DELETE',
          url: `/api-keys/${second.id}`,
          headers: bearer(login.access_token),
        })
      ).statusCode,
    ).toBe(404)
  })
})

describe('GET /api-keys and DELETE /api-keys/{id}', () => {
  it('lists own keys with prefix and last 4, never the key, and nobody else’s', async () => {
    const { login, created } = await newKey({ name: 'one' })
    await newKey({ name: 'other user' }, ['user2', 'password2'])
    const res = await t.inject({ url: '/api-keys', headers: bearer(login.access_token) })
    expect(res.statusCode).toBe(200)
    const { items, next_cursor } = res.json<{
      items: Record<string, unknown>[]
      next_cursor: null
    }>()
    expect(next_cursor).toBeNull()
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({
      id: created.id,
      name: 'one',
      prefix: created.key.slice(0, 9),
      last4: created.key.slice(-4),
      scopes: ['data:read'],
      last_used_at: null,
    })
    expect(items[0]).not.toHaveProperty('key')
    expect(res.body).not.toContain(created.key.slice(9, -4))
  })

  it('another user’s key id is 404 and the key keeps working', async () => {
    const { created } = await newKey()
    const mallory = await loginAs(t, 'user2', 'password2')
    const res = await t.inject({
      method: 'DELETE',
      url: `/api-keys/${created.id}`,
      headers: bearer(mallory.access_token),
    })
    expect(res.statusCode).toBe(404)
    expect((await t.inject({ url: '/protected', headers: bearer(created.key) })).statusCode).toBe(
      200,
    )
  })

  it('records when a key was last used', async () => {
    const { login, created } = await newKey()
    await t.inject({ url: '/protected', headers: bearer(created.key) })
    const items = (await t.inject({ url: '/api-keys', headers: bearer(login.access_token) })).json<{
      items: { last_used_at: string }[]
    }>().items
    expect(items[0]!.last_used_at).toBe(new Date(t.clock.now()).toISOString())
  })
})
