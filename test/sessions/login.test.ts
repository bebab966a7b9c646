import { decodeJwt, decodeProtectedHeader } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, json, loginAs, register, type TestApp } from '../helpers/build-test-app.js'

// Everything POST /login answers: the seed's body, identical refusals, bad input, and the
// per-username lockout. The per-IP limit is in rate-limit.test.ts, cookies in cookies.test.ts.

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp({ demo: true })
})
afterEach(() => t.close())

const login = (username: string, password: string, remoteAddress = '10.0.0.1') =>
  t.inject({ method: 'POST', url: '/login', remoteAddress, ...json({ username, password }) })

describe('POST /login', () => {
  it('returns the seed token body, no-store, and a well-formed access token', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/login',
      ...json({ username: 'user1', password: 'password1' }),
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const body = res.json<Record<string, unknown>>()
    expect(Object.keys(body).sort()).toEqual(
      ['access_token', 'expires_in', 'refresh_token', 'token_type'].sort(),
    )
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900 })
    expect(body['refresh_token']).toMatch(/^gthr_[A-Za-z0-9_-]{43}$/)

    const token = body['access_token'] as string
    const header = decodeProtectedHeader(token)
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' })
    const jwks = (await t.inject({ url: '/.well-known/jwks.json' })).json<{
      keys: { kid: string }[]
    }>()
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid)

    const claims = decodeJwt(token)
    expect(claims).toMatchObject({
      iss: 'http://127.0.0.1:8080',
      aud: 'gatehouse',
      username: 'user1',
      roles: [],
      scope: 'data:read',
      fresh: true,
    })
    expect(claims.sub).toMatch(/^[0-9a-f-]{36}$/)
    expect(claims.sub).not.toBe('user1')
    expect(typeof claims['sid']).toBe('string')
    expect(typeof claims.jti).toBe('string')
    expect(claims.exp! - claims.iat!).toBe(900)
  })

  it('answers unknown users and wrong passwords identically, after the same argon2 work', async () => {
    const wrong = await t.inject({
      method: 'POST',
      url: '/login',
      ...json({ username: 'user1', password: 'not-the-password' }),
    })
    const countsAfterWrong = { ...t.hasher.counts }
    const unknown = await t.inject({
      method: 'POST',
      url: '/login',
      ...json({ username: 'nobody', password: 'not-the-password' }),
    })
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401)
      expect(res.json()).toEqual({ msg: 'Bad username or password', error: 'invalid_credentials' })
      expect(res.headers['www-authenticate']).toBe('Bearer realm="gatehouse"')
    }
    expect(t.hasher.counts.verifyDummy).toBe(countsAfterWrong.verifyDummy + 1)
    // A malformed username is just another unknown user: same body, same work.
    const malformed = await t.inject({
      method: 'POST',
      url: '/login',
      ...json({ username: 'x y', password: 'not-the-password' }),
    })
    expect(malformed.json()).toEqual(wrong.json())
    expect(t.hasher.counts.verifyDummy).toBe(countsAfterWrong.verifyDummy + 2)
  })

  it('logs in with any case and with compatibility forms of the username', async () => {
    await register(t, 'alice', 'correct horse battery staple')
    for (const name of ['ALICE', 'ａｌｉｃｅ']) {
      expect((await loginAs(t, name, 'correct horse battery staple')).access_token).toBeTruthy()
    }
  })
})

describe('POST /login with bad input', () => {
  it('refuses malformed bodies with 400, and a huge password with the usual 401 without hashing', async () => {
    for (const payload of [
      '{',
      '[]',
      JSON.stringify({ username: 1, password: 2 }),
      JSON.stringify({ username: 'user1' }),
    ]) {
      const res = await t.inject({
        method: 'POST',
        url: '/login',
        headers: { 'content-type': 'application/json' },
        payload,
      })
      expect(res.statusCode, payload).toBe(400)
      expect(res.json()).toMatchObject({ error: 'invalid_request' })
    }
    const before = { ...t.hasher.counts }
    const res = await t.inject({
      method: 'POST',
      url: '/login',
      ...json({ username: 'user1', password: 'p'.repeat(15_000) }),
    })
    expect(res.statusCode).toBe(401)
    expect(t.hasher.counts).toEqual(before)
  })

  it('logs in the SQL-injection classic as nobody', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/login',
      ...json({ username: "admin' OR '1'='1", password: "' OR '1'='1" }),
    })
    expect(res.statusCode).toBe(401)
  })
})

describe('progressive lockout per username', () => {
  it('after 5 failures even the right password waits; the wait doubles; success resets it', async () => {
    for (let i = 0; i < 5; i++) expect((await login('user1', `wrong-${i}`)).statusCode).toBe(401)

    const locked = await login('user1', 'password1')
    expect(locked.statusCode).toBe(429)
    expect(locked.headers['retry-after']).toBe('1')
    expect(locked.json<{ msg: string }>().msg).toMatch(/failed logins/)

    t.clock.advance(1)
    expect((await login('user1', 'wrong-again')).statusCode).toBe(401)
    expect((await login('user1', 'password1')).headers['retry-after']).toBe('2')
    t.clock.advance(2)
    expect((await login('user1', 'wrong-once-more')).statusCode).toBe(401)
    expect((await login('user1', 'password1')).headers['retry-after']).toBe('4')

    t.clock.advance(4)
    expect((await login('user1', 'password1')).statusCode).toBe(200)
    expect((await login('user1', 'wrong-after-success')).statusCode).toBe(401)
    expect((await login('user1', 'password1')).statusCode).toBe(200)
  })

  // Issue 11, point 2: waitFor → argon2 → recordFailure was check-then-act.
  it('counts concurrent wrong passwords before answering any: a burst gets no more than the threshold', async () => {
    const results = await Promise.all(
      Array.from({ length: 55 }, (_, i) => login('user1', `wrong-${i}`)),
    )
    expect(results.filter((r) => r.statusCode === 401)).toHaveLength(5)
    expect(results.filter((r) => r.statusCode === 429)).toHaveLength(50)
    expect(t.hasher.counts.verify).toBe(5)
    expect((await login('user1', 'password1')).statusCode).toBe(429)
  })

  it('lets many concurrent logins with the right password all succeed', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => login('user1', 'password1')))
    expect(results.map((r) => r.statusCode)).toEqual(Array(12).fill(200))
  })

  it('counts wrong current passwords at POST /me/password toward the same lockout', async () => {
    const { access_token } = (await login('user1', 'password1')).json<{ access_token: string }>()
    const change = (current: string) =>
      t.inject({
        method: 'POST',
        url: '/me/password',
        ...json(
          { current_password: current, new_password: 'a brand new passphrase' },
          { authorization: `Bearer ${access_token}` },
        ),
      })
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => change(`wrong-${i}`)))
    expect(answers.filter((r) => r.statusCode === 403)).toHaveLength(5)
    expect(answers.filter((r) => r.statusCode === 429)).toHaveLength(3)
    expect((await change('password1')).statusCode).toBe(429)
    expect((await login('user1', 'password1')).statusCode).toBe(429)
    t.clock.advance(1)
    expect((await change('password1')).statusCode).toBe(200)
    expect((await login('user1', 'a brand new passphrase')).statusCode).toBe(200)
  })

  it('leaves other users alone, from the same address too', async () => {
    for (let i = 0; i < 6; i++) await login('user1', `wrong-${i}`)
    expect((await login('user1', 'password1')).statusCode).toBe(429)
    expect((await login('user2', 'password2')).statusCode).toBe(200)
  })

  it('throttles unknown and impossible usernames the same way, case-insensitively', async () => {
    for (let i = 0; i < 5; i++) await login(i % 2 ? 'GHOST' : 'ghost', 'whatever-pw')
    expect((await login('ghost', 'whatever-pw')).statusCode).toBe(429)
    for (let i = 0; i < 5; i++) await login('not valid!', 'whatever-pw')
    expect((await login('not valid!', 'whatever-pw')).statusCode).toBe(429)
    const audit = await t.core.store.audit.list({ type: 'login_failure' }, { limit: 1 })
    expect(audit[0]?.details).toMatchObject({ reason: 'locked_out' })
  })

  it('caps the wait at 15 minutes', async () => {
    for (let i = 0; i < 30; i++) {
      await login('user1', `wrong-${i}`)
      t.clock.advance(16 * 60)
    }
    await login('user1', 'wrong-last')
    expect((await login('user1', 'password1')).headers['retry-after']).toBe(String(15 * 60))
  })
})
