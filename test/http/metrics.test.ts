import { afterEach, describe, expect, it } from 'vitest'
import { bearer, buildTestApp, json, loginAs, type TestApp } from '../helpers/build-test-app.js'

let t: TestApp
afterEach(() => t.close())

const METRICS_TOKEN = 'scrape-token-0123456789'

async function scrape(headers: Record<string, string> = {}): Promise<string> {
  const res = await t.inject({ url: '/metrics', headers })
  expect(res.statusCode, res.body).toBe(200)
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
  return res.body
}

/** The value of one sample, e.g. value(text, 'gatehouse_logins_total', { outcome: 'success' }). */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const present = match[2]?.split(',') ?? []
    if (wanted.every((pair) => present.includes(pair))) return Number(match[3])
  }
  return 0
}

const login = (username: string, password: string) =>
  t.inject({ method: 'POST', url: '/login', ...json({ username, password }) })

describe('GET /metrics', () => {
  it('counts requests by route and status, and logins by outcome', async () => {
    t = await buildTestApp({ demo: true })
    const { access_token } = await loginAs(t, 'user1', 'password1')
    expect((await login('user1', 'wrong-password')).statusCode).toBe(401)
    expect((await login('nobody-here', 'wrong-password')).statusCode).toBe(401)
    for (let i = 0; i < 3; i++) {
      expect(
        (await t.inject({ url: '/protected', headers: bearer(access_token) })).statusCode,
      ).toBe(200)
    }
    expect((await t.inject({ url: '/no/such/route/4f1e' })).statusCode).toBe(404)

    const text = await scrape()
    const requests = (route: string, status: string) =>
      value(text, 'gatehouse_http_request_duration_seconds_count', {
        route,
        status_code: status,
        method: route === '/login' ? 'POST' : 'GET',
      })
    expect(requests('/protected', '200')).toBe(3)
    expect(requests('/login', '200')).toBe(1)
    expect(requests('/login', '401')).toBe(2)
    expect(requests('unmatched', '404')).toBe(1)
    // A scanner's paths never become label values.
    expect(text).not.toContain('4f1e')
    expect(value(text, 'gatehouse_logins_total', { outcome: 'success' })).toBe(1)
    // Issue 11, point 4: one outcome for an unknown user and a wrong password.
    expect(value(text, 'gatehouse_logins_total', { outcome: 'invalid_credentials' })).toBe(2)
    expect(text).not.toMatch(/unknown_user|wrong_password/)
    expect(value(text, 'gatehouse_audit_events_total', { type: 'login_failure' })).toBe(2)
  })

  it('counts refused credentials by reason, refreshes, reuse and the revocation list', async () => {
    t = await buildTestApp({ demo: true, reuseWindow: 2 })
    const first = await loginAs(t, 'user1', 'password1')
    const second = await loginAs(t, 'user2', 'password2')
    await t.inject({ url: '/protected' })
    await t.inject({ url: '/protected', headers: bearer('not.a.token') })
    const rotated = await t.inject({
      method: 'POST',
      url: '/refresh',
      ...json({ refresh_token: first.refresh_token }),
    })
    expect(rotated.statusCode).toBe(200)
    t.clock.advance(3)
    const replayed = await t.inject({
      method: 'POST',
      url: '/refresh',
      ...json({ refresh_token: first.refresh_token }),
    })
    expect(replayed.statusCode).toBe(401)
    // The reuse ended the session: its access token is refused as revoked.
    await t.inject({ url: '/protected', headers: bearer(first.access_token) })
    await t.inject({ method: 'POST', url: '/logout', headers: bearer(second.access_token) })
    t.clock.advance(3_600)
    await t.inject({ url: '/protected', headers: bearer(second.access_token) })

    const text = await scrape()
    const failures = (reason: string) =>
      value(text, 'gatehouse_token_verification_failures_total', { reason })
    expect(failures('missing_token')).toBe(1)
    expect(failures('invalid_token')).toBe(1)
    expect(failures('token_revoked')).toBe(1)
    expect(failures('token_expired')).toBe(1)
    expect(value(text, 'gatehouse_refreshes_total')).toBe(1)
    expect(value(text, 'gatehouse_refresh_reuse_detected_total')).toBe(1)
    expect(value(text, 'gatehouse_denylist_entries')).toBeGreaterThanOrEqual(2)
  })

  it('counts rate-limit and lockout refusals', async () => {
    t = await buildTestApp({ demo: true, ipLimitPerMinute: 4, lockoutThreshold: 2 })
    // Three failures for user2: the third meets the lockout; then the address's fifth
    // request within the minute meets the IP limit.
    for (let i = 0; i < 3; i++) await login('user2', 'wrong-password')
    expect((await login('user1', 'password1')).statusCode).toBe(200)
    expect((await login('user1', 'password1')).statusCode).toBe(429)
    const text = await scrape()
    expect(value(text, 'gatehouse_rate_limited_total', { limit: 'lockout' })).toBe(1)
    expect(value(text, 'gatehouse_rate_limited_total', { limit: 'ip' })).toBe(1)
    expect(value(text, 'gatehouse_logins_total', { outcome: 'locked_out' })).toBe(1)
  })

  it('exposes process metrics and event-loop lag', async () => {
    t = await buildTestApp()
    const text = await scrape()
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text).toMatch(new RegExp(`^${name} `, 'm'))
    }
  })

  it('needs the metrics token when one is configured', async () => {
    t = await buildTestApp({ metricsToken: METRICS_TOKEN })
    const none = await t.inject({ url: '/metrics' })
    expect(none.statusCode).toBe(401)
    expect(none.json()).toMatchObject({ error: 'missing_token' })
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/)
    const wrong = await t.inject({ url: '/metrics', headers: bearer(`${METRICS_TOKEN}x`) })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.json()).toMatchObject({ error: 'invalid_token' })
    expect(wrong.body).not.toContain('gatehouse_')
    // A user's access token is not the metrics token.
    const other = await buildTestApp({ demo: true })
    const { access_token } = await loginAs(other, 'user1', 'password1')
    await other.close()
    expect((await t.inject({ url: '/metrics', headers: bearer(access_token) })).statusCode).toBe(
      401,
    )
    expect(await scrape(bearer(METRICS_TOKEN))).toContain('gatehouse_http_request_duration_seconds')
  })

  it('is absent when turned off, and a bad token setting stops start-up', async () => {
    t = await buildTestApp({ metrics: false })
    expect((await t.inject({ url: '/metrics' })).statusCode).toBe(404)
    await expect(buildTestApp({ metricsToken: 'short' })).rejects.toThrow(/METRICS_TOKEN/)
    await expect(buildTestApp({ metricsToken: 'has spaces in it, sixteen+' })).rejects.toThrow(
      /METRICS_TOKEN/,
    )
  })
})
