import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, json, type TestApp } from '../helpers/build-test-app.js'

let t: TestApp
afterEach(() => t?.close())

const login = (username: string, password: string, remoteAddress = '10.0.0.1') =>
  t.inject({ method: 'POST', url: '/login', remoteAddress, ...json({ username, password }) })

describe('per-IP limit on credential endpoints', () => {
  it('answers 429 with Retry-After past the limit, per address, until the minute is over', async () => {
    t = await buildTestApp({ demo: true, ipLimitPerMinute: 3 })
    expect((await login('user1', 'password1')).statusCode).toBe(200)
    expect((await login('user1', 'wrong-password')).statusCode).toBe(401)
    expect(
      (
        await t.inject({
          method: 'POST',
          url: '/register',
          remoteAddress: '10.0.0.1',
          ...json({ username: 'newbie', password: 'a long passphrase' }),
        })
      ).statusCode,
    ).toBe(201)

    const limited = await login('user1', 'password1')
    expect(limited.statusCode).toBe(429)
    expect(limited.json()).toMatchObject({ error: 'rate_limited' })
    const retryAfter = Number(limited.headers['retry-after'])
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(60)

    expect((await login('user1', 'password1', '10.0.0.2')).statusCode).toBe(200)
    t.clock.advance(retryAfter)
    expect((await login('user1', 'password1')).statusCode).toBe(200)
  })

  it('answers the OAuth token endpoint in RFC 6749 shape', async () => {
    t = await buildTestApp({ demo: true, ipLimitPerMinute: 1 })
    const token = () =>
      t.inject({
        method: 'POST',
        url: '/oauth/token',
        remoteAddress: '10.0.0.9',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'grant_type=client_credentials',
      })
    expect((await token()).statusCode).toBe(401)
    const limited = await token()
    expect(limited.statusCode).toBe(429)
    expect(limited.headers['retry-after']).toBeDefined()
    expect(Object.keys(limited.json<object>()).sort()).toEqual(['error', 'error_description'])
  })

  it('counts exactly under concurrent load', async () => {
    t = await buildTestApp({ demo: true, ipLimitPerMinute: 10, lockoutThreshold: 0 })
    const results = await Promise.all(
      Array.from({ length: 30 }, () => login('nobody', 'wrong-password')),
    )
    expect(results.filter((r) => r.statusCode === 429)).toHaveLength(20)
    expect(results.filter((r) => r.statusCode === 401)).toHaveLength(10)
  })
})

describe('progressive lockout per username', () => {
  it('after 5 failures even the right password waits; the wait doubles; success resets it', async () => {
    t = await buildTestApp({ demo: true })
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
    t = await buildTestApp({ demo: true })
    const results = await Promise.all(
      Array.from({ length: 55 }, (_, i) => login('user1', `wrong-${i}`)),
    )
    expect(results.filter((r) => r.statusCode === 401)).toHaveLength(5)
    expect(results.filter((r) => r.statusCode === 429)).toHaveLength(50)
    expect(t.hasher.counts.verify).toBe(5)
    expect((await login('user1', 'password1')).statusCode).toBe(429)
  })

  it('lets many concurrent logins with the right password all succeed', async () => {
    t = await buildTestApp({ demo: true })
    const results = await Promise.all(Array.from({ length: 12 }, () => login('user1', 'password1')))
    expect(results.map((r) => r.statusCode)).toEqual(Array(12).fill(200))
  })

  it('counts wrong current passwords at POST /me/password toward the same lockout', async () => {
    t = await buildTestApp({ demo: true })
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
    t = await buildTestApp({ demo: true })
    for (let i = 0; i < 6; i++) await login('user1', `wrong-${i}`)
    expect((await login('user1', 'password1')).statusCode).toBe(429)
    expect((await login('user2', 'password2')).statusCode).toBe(200)
  })

  it('throttles unknown and impossible usernames the same way, case-insensitively', async () => {
    t = await buildTestApp({ demo: true })
    for (let i = 0; i < 5; i++) await login(i % 2 ? 'GHOST' : 'ghost', 'whatever-pw')
    expect((await login('ghost', 'whatever-pw')).statusCode).toBe(429)
    for (let i = 0; i < 5; i++) await login('not valid!', 'whatever-pw')
    expect((await login('not valid!', 'whatever-pw')).statusCode).toBe(429)
    const audit = await t.core.store.audit.list({ type: 'login_failure' }, { limit: 1 })
    expect(audit[0]?.details).toMatchObject({ reason: 'locked_out' })
  })

  it('caps the wait at 15 minutes', async () => {
    t = await buildTestApp({ demo: true })
    for (let i = 0; i < 30; i++) {
      await login('user1', `wrong-${i}`)
      t.clock.advance(16 * 60)
    }
    await login('user1', 'wrong-last')
    expect((await login('user1', 'password1')).headers['retry-after']).toBe(String(15 * 60))
  })
})
