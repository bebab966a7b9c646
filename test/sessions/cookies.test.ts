import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer, buildTestApp, json, loginAs, type TestApp } from '../helpers/build-test-app.js'

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp({ demo: true })
})
afterEach(() => t.close())

interface Cookie {
  name: string
  value: string
  attributes: Map<string, string | true>
}

function parseSetCookie(header: string | string[] | undefined): Map<string, Cookie> {
  const cookies = new Map<string, Cookie>()
  for (const line of ([] as string[]).concat(header ?? [])) {
    const [pair, ...attrs] = line.split(';').map((part) => part.trim())
    const [name, ...value] = pair!.split('=')
    const attributes = new Map<string, string | true>()
    for (const attr of attrs) {
      const [key, val] = attr.split('=')
      attributes.set(key!.toLowerCase(), val ?? true)
    }
    cookies.set(name!, { name: name!, value: value.join('='), attributes })
  }
  return cookies
}

const valuesOf = (cookies: Map<string, Cookie>) =>
  Object.fromEntries([...cookies].map(([name, c]) => [name, c.value]))

async function cookieLogin(app: TestApp = t) {
  const res = await app.inject({
    method: 'POST',
    url: '/login',
    ...json({ username: 'user1', password: 'password1', use_cookies: true }),
  })
  expect(res.statusCode, res.body).toBe(200)
  return { res, cookies: parseSetCookie(res.headers['set-cookie']) }
}

describe('cookie transport', () => {
  it('login with use_cookies sets HttpOnly token cookies and readable CSRF cookies, no token in the body', async () => {
    const { res, cookies } = await cookieLogin()
    expect(res.json()).toEqual({ msg: 'Login successful', expires_in: 900 })
    expect(res.headers['cache-control']).toBe('no-store')
    expect([...cookies.keys()].sort()).toEqual(
      [
        'access_token_cookie',
        'csrf_access_token',
        'csrf_refresh_token',
        'refresh_token_cookie',
      ].sort(),
    )
    const access = cookies.get('access_token_cookie')!
    const refresh = cookies.get('refresh_token_cookie')!
    expect(access.attributes.get('httponly')).toBe(true)
    expect(refresh.attributes.get('httponly')).toBe(true)
    expect(cookies.get('csrf_access_token')!.attributes.has('httponly')).toBe(false)
    expect(cookies.get('csrf_refresh_token')!.attributes.has('httponly')).toBe(false)
    for (const cookie of cookies.values()) {
      expect(cookie.attributes.get('secure'), cookie.name).toBe(true)
      expect(cookie.attributes.get('samesite'), cookie.name).toBe('Lax')
    }
    expect(access.attributes.get('path')).toBe('/')
    expect(access.attributes.get('max-age')).toBe('900')
    expect(refresh.attributes.get('path')).toBe('/refresh')
    expect(cookies.get('csrf_refresh_token')!.attributes.get('path')).toBe('/refresh')
    expect(refresh.value).toMatch(/^gthr_/)
    expect(res.body).not.toContain(access.value)
  })

  it('authenticates safe requests by cookie alone', async () => {
    const { cookies } = await cookieLogin()
    const res = await t.inject({
      url: '/protected',
      cookies: { access_token_cookie: cookies.get('access_token_cookie')!.value },
    })
    expect(res.json()).toEqual({ logged_in_as: 'user1' })
  })

  it('requires the matching X-CSRF-Token on state-changing requests authenticated by cookie', async () => {
    const { cookies } = await cookieLogin()
    const { access_token_cookie, csrf_access_token, csrf_refresh_token } = valuesOf(cookies)
    const logout = (headers: Record<string, string>) =>
      t.inject({
        method: 'POST',
        url: '/logout',
        cookies: { access_token_cookie: access_token_cookie! },
        headers,
      })

    for (const headers of [
      {},
      { 'x-csrf-token': 'forged' },
      { 'x-csrf-token': csrf_refresh_token! },
      { 'x-csrf-token': '' },
    ]) {
      const res = await logout(headers)
      expect(res.statusCode, JSON.stringify(headers)).toBe(403)
      expect(res.json()).toMatchObject({ error: 'csrf_failed' })
      expect(res.json<{ msg: string }>().msg).toMatch(/X-CSRF-Token/)
    }
    // A CSRF token from another login (another jti) does not fit either.
    const other = valuesOf((await cookieLogin()).cookies)
    expect((await logout({ 'x-csrf-token': other['csrf_access_token']! })).statusCode).toBe(403)

    const ok = await logout({ 'x-csrf-token': csrf_access_token! })
    expect(ok.statusCode).toBe(200)
    const cleared = parseSetCookie(ok.headers['set-cookie'])
    expect(cleared.get('access_token_cookie')?.value).toBe('')
    expect(cleared.get('refresh_token_cookie')?.attributes.get('path')).toBe('/refresh')
  })

  it('needs no CSRF token when the request carries a Bearer header', async () => {
    const login = await loginAs(t, 'user1', 'password1')
    const res = await t.inject({
      method: 'POST',
      url: '/logout',
      headers: bearer(login.access_token),
    })
    expect(res.statusCode).toBe(200)
  })

  it('refreshes from the refresh cookie only with the refresh CSRF token, and rotates the cookies', async () => {
    const { cookies } = await cookieLogin()
    const { refresh_token_cookie, csrf_refresh_token, csrf_access_token } = valuesOf(cookies)
    const refresh = (headers: Record<string, string>) =>
      t.inject({
        method: 'POST',
        url: '/refresh',
        cookies: { refresh_token_cookie: refresh_token_cookie! },
        headers,
      })

    for (const headers of [{}, { 'x-csrf-token': csrf_access_token! }, { 'x-csrf-token': 'x' }]) {
      const res = await refresh(headers)
      expect(res.statusCode).toBe(403)
      expect(res.json()).toMatchObject({ error: 'csrf_failed' })
    }
    const res = await refresh({ 'x-csrf-token': csrf_refresh_token! })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({ msg: 'Token refreshed', expires_in: 900 })
    const next = valuesOf(parseSetCookie(res.headers['set-cookie']))
    expect(next['refresh_token_cookie']).not.toBe(refresh_token_cookie)
    expect(next['csrf_refresh_token']).not.toBe(csrf_refresh_token)
    const me = await t.inject({
      url: '/protected',
      cookies: { access_token_cookie: next['access_token_cookie']! },
    })
    expect(me.statusCode).toBe(200)
  })

  it('can switch a body-token client to cookies on refresh', async () => {
    const login = await loginAs(t, 'user1', 'password1')
    const res = await t.inject({
      method: 'POST',
      url: '/refresh',
      ...json({ refresh_token: login.refresh_token, use_cookies: true }),
    })
    expect(res.json()).toEqual({ msg: 'Token refreshed', expires_in: 900 })
    expect(parseSetCookie(res.headers['set-cookie']).has('access_token_cookie')).toBe(true)
  })

  it('omits Secure only when configured for http://localhost development, and honours SameSite', async () => {
    const dev = await buildTestApp({ demo: true, cookieSecure: false, cookieSameSite: 'strict' })
    try {
      const { cookies } = await cookieLogin(dev)
      for (const cookie of cookies.values()) {
        expect(cookie.attributes.has('secure')).toBe(false)
        expect(cookie.attributes.get('samesite')).toBe('Strict')
      }
    } finally {
      await dev.close()
    }
  })

  it('scopes the refresh cookies under the plugin prefix in library mode', async () => {
    const Fastify = (await import('fastify')).default
    const { gatehouse } = await import('../../src/index.js')
    const app = Fastify()
    await app.register(gatehouse, {
      env: {},
      prefix: '/auth',
      settings: { database: ':memory:', demo: true },
    })
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { username: 'user1', password: 'password1', use_cookies: true },
      })
      expect(
        parseSetCookie(res.headers['set-cookie'])
          .get('refresh_token_cookie')
          ?.attributes.get('path'),
      ).toBe('/auth/refresh')
    } finally {
      await app.close()
    }
  })
})
