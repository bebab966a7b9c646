import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, buildTestApp, loginAs, type TestApp } from '../helpers/build-test-app.js'

let t: TestApp
beforeAll(async () => {
  // Nothing listens on port 1: Redis is configured but unreachable.
  t = await buildTestApp({ demo: true, redis: 'redis://127.0.0.1:1', ipLimitPerMinute: 2 })
})
afterAll(() => t.close())

describe('when Redis is unreachable', () => {
  it('keeps serving, with per-instance limits, and /readyz says Redis is not reachable', async () => {
    const { access_token } = await loginAs(t, 'user1', 'password1')
    expect((await t.inject({ url: '/protected', headers: bearer(access_token) })).statusCode).toBe(
      200,
    )
    await loginAs(t, 'user2', 'password2')
    const limited = await t.inject({
      method: 'POST',
      url: '/login',
      payload: { username: 'user1', password: 'password1' },
    })
    expect(limited.statusCode).toBe(429)

    const ready = await t.inject({ url: '/readyz' })
    expect(ready.statusCode).toBe(503)
    expect(ready.json()).toEqual({ msg: 'Redis is not reachable', error: 'service_unavailable' })
    expect((await t.inject({ url: '/healthz' })).statusCode).toBe(200)
    const logout = await t.inject({ method: 'POST', url: '/logout', headers: bearer(access_token) })
    expect(logout.statusCode).toBe(200)
    expect((await t.inject({ url: '/protected', headers: bearer(access_token) })).statusCode).toBe(
      401,
    )
  })
})
