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
