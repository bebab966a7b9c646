/**
 * What a security review, real OAuth client libraries and a new user found (issue 11).
 * Each test names the point it covers; each failed before its fix.
 */
import { decodeJwt } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { bearer, buildTestApp, json, loginAs, type TestApp } from '../helpers/build-test-app.js'

let t: TestApp
afterEach(() => t?.close())

const form = (params: Record<string, string>, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  payload: new URLSearchParams(params).toString(),
})

const basic = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
})

/** Logs in, then makes the session's tokens non-fresh by refreshing once. */
async function refreshedToken(username: string, password: string): Promise<string> {
  const login = await loginAs(t, username, password)
  const res = await t.inject({
    method: 'POST',
    url: '/refresh',
    ...json({ refresh_token: login.refresh_token }),
  })
  expect(res.statusCode).toBe(200)
  return res.json<{ access_token: string }>().access_token
}

async function clientToken(admin: string): Promise<{ token: string; clientId: string }> {
  const created = await t.inject({
    method: 'POST',
    url: '/admin/clients',
    ...json({ name: 'job', scopes: ['data:read'] }, bearer(admin)),
  })
  const { client_id, client_secret } = created.json<{ client_id: string; client_secret: string }>()
  const res = await t.inject({
    method: 'POST',
    url: '/oauth/token',
    ...form({ grant_type: 'client_credentials' }, basic(client_id, client_secret)),
  })
  return { token: res.json<{ access_token: string }>().access_token, clientId: client_id }
}

describe('point 5: admin actions that create credentials or grant power need a fresh token', () => {
  it('refuses a refreshed admin token for creating users and clients, granting roles and rotating keys', async () => {
    t = await buildTestApp({ demo: true })
    const stale = bearer(await refreshedToken('admin', 'adminpass'))
    const user1 = (await loginAs(t, 'user1', 'password1')).access_token
    const user1Id = decodeJwt(user1).sub ?? ''
    const attempts = [
      {
        method: 'POST' as const,
        url: '/admin/users',
        body: { username: 'eve', password: 'eve has a passphrase' },
      },
      { method: 'POST' as const, url: '/admin/clients', body: { name: 'x', scopes: [] } },
      { method: 'PATCH' as const, url: `/admin/users/${user1Id}`, body: { roles: ['admin'] } },
      { method: 'POST' as const, url: '/admin/keys/rotate', body: {} },
    ]
    for (const attempt of attempts) {
      const res = await t.inject({
        method: attempt.method,
        url: attempt.url,
        ...json(attempt.body, stale),
      })
      expect(res.statusCode, attempt.url).toBe(401)
      expect(res.json(), attempt.url).toMatchObject({ error: 'fresh_token_required' })
      expect(res.headers['www-authenticate']).toMatch(/insufficient_user_authentication/)
    }
    // Reading, disabling and deleting take power away or grant none: a refreshed token will do.
    expect((await t.inject({ url: '/admin/users', headers: stale })).statusCode).toBe(200)
    const disable = await t.inject({
      method: 'PATCH',
      url: `/admin/users/${user1Id}`,
      ...json({ disabled: true }, stale),
    })
    expect(disable.statusCode).toBe(200)
    // With a fresh login the same actions succeed.
    const fresh = bearer((await loginAs(t, 'admin', 'adminpass')).access_token)
    for (const attempt of attempts) {
      const res = await t.inject({
        method: attempt.method,
        url: attempt.url,
        ...json(attempt.body, fresh),
      })
      expect(res.statusCode, attempt.url).toBeLessThan(300)
    }
  })
})

describe('point 7: client tokens cannot act for a person', () => {
  it('answers 403 on /me, /sessions, /api-keys and /logout to a client-credentials token', async () => {
    t = await buildTestApp({ demo: true })
    const admin = (await loginAs(t, 'admin', 'adminpass')).access_token
    const { token } = await clientToken(admin)
    expect((await t.inject({ url: '/protected', headers: bearer(token) })).statusCode).toBe(200)
    for (const [method, url] of [
      ['GET', '/me'],
      ['GET', '/sessions'],
      ['GET', '/api-keys'],
      ['POST', '/api-keys'],
      ['POST', '/logout'],
      ['POST', '/me/password'],
    ] as const) {
      const res = await t.inject({
        method,
        url,
        ...(method === 'POST'
          ? json(url === '/api-keys' ? { name: 'k' } : {}, bearer(token))
          : { headers: bearer(token) }),
      })
      expect(res.statusCode, `${method} ${url}`).toBe(403)
      expect(res.json(), `${method} ${url}`).toMatchObject({ error: 'insufficient_scope' })
    }
  })
})

describe('point 8: caching and sniffing headers; the 415 of /oauth/token', () => {
  it('marks every authenticated JSON answer no-store and every answer nosniff', async () => {
    t = await buildTestApp({ demo: true })
    const token = (await loginAs(t, 'user1', 'password1')).access_token
    for (const url of ['/me', '/sessions', '/api-keys', '/protected', '/data']) {
      const res = await t.inject({ url, headers: bearer(token) })
      expect(res.statusCode, url).toBe(200)
      expect(res.headers['cache-control'], url).toBe('no-store')
    }
    for (const url of ['/healthz', '/.well-known/jwks.json', '/nowhere', '/protected']) {
      const res = await t.inject({ url })
      expect(res.headers['x-content-type-options'], url).toBe('nosniff')
    }
  })
})

describe('point 9: /oauth/token errors carry no Bearer challenge', () => {
  it('answers a bad refresh token with invalid_grant and no WWW-Authenticate; invalid_client keeps Basic', async () => {
    t = await buildTestApp({ demo: true })
    const login = await loginAs(t, 'user1', 'password1')
    await t.inject({ method: 'POST', url: '/logout', headers: bearer(login.access_token) })
    for (const refresh_token of [login.refresh_token, 'gthr_garbage']) {
      const res = await t.inject({
        method: 'POST',
        url: '/oauth/token',
        ...form({ grant_type: 'refresh_token', refresh_token }),
      })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ error: 'invalid_grant' })
      expect(res.headers['www-authenticate']).toBeUndefined()
    }
    const badClient = await t.inject({
      method: 'POST',
      url: '/oauth/token',
      ...form({ grant_type: 'client_credentials' }, basic('nobody', 'nothing')),
    })
    expect(badClient.statusCode).toBe(401)
    expect(badClient.headers['www-authenticate']).toBe('Basic realm="gatehouse"')
  })
})

describe('point 10: users’ tokens carry client_id, auth_time and amr (RFC 9068 §2.2, RFC 8176)', () => {
  it('names the first-party client and the password login, and a refresh keeps both', async () => {
    t = await buildTestApp({ demo: true })
    const login = await loginAs(t, 'user1', 'password1')
    const first = decodeJwt(login.access_token)
    expect(first).toMatchObject({ client_id: 'gatehouse', amr: ['pwd'] })
    expect(first['auth_time']).toBe(first.iat)
    t.clock.advance(120)
    const res = await t.inject({
      method: 'POST',
      url: '/refresh',
      ...json({ refresh_token: login.refresh_token }),
    })
    const refreshed = decodeJwt(res.json<{ access_token: string }>().access_token)
    expect(refreshed).toMatchObject({
      client_id: 'gatehouse',
      amr: ['pwd'],
      auth_time: first['auth_time'],
    })
    expect(refreshed.iat).toBe((first.iat ?? 0) + 120)
  })
})

describe('point 11: access tokens may live for any number of seconds from 1', () => {
  it('issues a 2-second token that expires after 2 seconds', async () => {
    t = await buildTestApp({ demo: true, accessTtl: 2 })
    const login = await loginAs(t, 'user1', 'password1')
    expect(login.expires_in).toBe(2)
    expect(
      (await t.inject({ url: '/protected', headers: bearer(login.access_token) })).statusCode,
    ).toBe(200)
    t.clock.advance(2 + 5)
    const expired = await t.inject({ url: '/protected', headers: bearer(login.access_token) })
    expect(expired.json()).toMatchObject({ error: 'token_expired' })
    expect(() =>
      loadConfig({ env: { GATEHOUSE_ACCESS_TTL: '0' }, overrides: { database: ':memory:' } }),
    ).toThrow(/GATEHOUSE_ACCESS_TTL: must be a whole number of seconds from 1 to 86400/)
  })
})

describe('point 3: the client IP behind trusted proxies', () => {
  async function sessionIp(trustProxy: string | undefined, forwardedFor: string): Promise<string> {
    t = await buildTestApp({ demo: true, ...(trustProxy !== undefined && { trustProxy }) })
    const login = await t.inject({
      method: 'POST',
      url: '/login',
      ...json({ username: 'user1', password: 'password1' }, { 'x-forwarded-for': forwardedFor }),
    })
    const token = login.json<{ access_token: string }>().access_token
    const sessions = await t.inject({ url: '/sessions', headers: bearer(token) })
    await t.close()
    return sessions.json<{ items: { ip: string }[] }>().items[0]?.ip ?? ''
  }

  it('takes the address the trusted proxies saw, never one the client wrote', async () => {
    // The client wrote 6.6.6.6; the one proxy (the socket peer) appended 203.0.113.9.
    const chain = '6.6.6.6, 203.0.113.9'
    expect(await sessionIp(undefined, chain)).toBe('127.0.0.1')
    expect(await sessionIp('1', chain)).toBe('203.0.113.9')
    expect(await sessionIp('127.0.0.1/8', chain)).toBe('203.0.113.9')
    expect(await sessionIp('2', chain)).toBe('6.6.6.6')
  })
})
