import { afterEach, describe, expect, it } from 'vitest'
import { bearer, buildTestApp, json, loginAs, type TestApp } from '../helpers/build-test-app.js'
import { totpCode } from '../helpers/totp.js'

// What protects an account once someone else may know its password (DESIGN: Security,
// third round): a password change can take the API keys along, costs no argon2 when it
// changes nothing and is limited per IP; once a second factor exists, sessions that did
// not pass it cannot touch keys, address, password or other sessions.

let t: TestApp
afterEach(() => t?.close())

const post = (url: string, body: unknown, token: string) =>
  t.inject({ method: 'POST', url, ...json(body, bearer(token)) })
const change = (token: string, body: Record<string, unknown> = {}) =>
  post(
    '/me/password',
    { current_password: 'password1', new_password: 'a brand new passphrase', ...body },
    token,
  )
const fresh = async () => (await loginAs(t, 'user1', 'password1')).access_token

async function apiKey(token: string): Promise<string> {
  const res = await post('/api-keys', { name: 'ci' }, token)
  expect(res.statusCode, res.body).toBe(201)
  return res.json<{ key: string }>().key
}
const dataWith = async (key: string) =>
  (await t.inject({ url: '/data', headers: { 'x-api-key': key } })).statusCode

describe('POST /me/password', () => {
  it('revokes the API keys by default, and keeps them with revoke_api_keys: false', async () => {
    t = await buildTestApp({ demo: true })
    const token = await fresh()
    const key = await apiKey(token)
    expect(await dataWith(key)).toBe(200)
    const kept = await change(token, { revoke_api_keys: false })
    expect(kept.json()).toEqual({
      msg: 'Password changed',
      sessions_revoked: 0,
      api_keys_revoked: 0,
    })
    expect(await dataWith(key)).toBe(200)

    const again = (await loginAs(t, 'user1', 'a brand new passphrase')).access_token
    const revoked = await post(
      '/me/password',
      { current_password: 'a brand new passphrase', new_password: 'yet another passphrase' },
      again,
    )
    expect(revoked.json()).toMatchObject({ api_keys_revoked: 1 })
    expect(await dataWith(key)).toBe(401)
  })

  it('refuses the current password as the new one, without hashing it', async () => {
    t = await buildTestApp({ demo: true })
    const token = await fresh()
    const hashes = t.hasher.counts.hash
    const res = await change(token, { new_password: 'password1' })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ error: 'password_unchanged' })
    expect(t.hasher.counts.hash).toBe(hashes)
    expect((await loginAs(t, 'user1', 'password1')).access_token).toBeTruthy()
  })

  it('counts toward the credential endpoints’ per-IP limit', async () => {
    t = await buildTestApp({ demo: true, ipLimitPerMinute: 3 })
    const token = await fresh() // one of the three
    const answers: number[] = []
    for (let i = 0; i < 3; i++) {
      answers.push((await change(token, { current_password: 'wrong password' })).statusCode)
    }
    expect(answers).toEqual([403, 403, 429])
    const limited = await change(token)
    expect(limited.statusCode).toBe(429)
    expect(limited.headers['retry-after']).toBeDefined()
  })
})

describe('once a second factor exists', () => {
  /** user1 enrols TOTP from session `a`; returns its secret and the enrolment answer. */
  async function enrol(a: string, body: Record<string, unknown> = {}) {
    const started = await post('/me/mfa/totp', {}, a)
    const { id, secret } = started.json<{ id: string; secret: string }>()
    const verified = await post(
      `/me/mfa/totp/${id}/verify`,
      { code: totpCode(secret, t.clock.now()), ...body },
      a,
    )
    expect(verified.statusCode, verified.body).toBe(200)
    t.clock.advance(30)
    return { secret, answer: verified.json<Record<string, unknown>>() }
  }
  const refreshes = async (refreshToken: string) =>
    (
      await t.inject({
        method: 'POST',
        url: '/refresh',
        ...json({ refresh_token: refreshToken }),
      })
    ).statusCode

  it('enrolling the first factor ends the other sessions, unless asked to keep them', async () => {
    t = await buildTestApp({ demo: true })
    const other = await loginAs(t, 'user1', 'password1')
    const { answer } = await enrol(await fresh())
    expect(answer['sessions_revoked']).toBe(1)
    expect(await refreshes(other.refresh_token)).toBe(401)
  })

  it('a session that did not pass it cannot make keys, change the address or password, or end other sessions', async () => {
    t = await buildTestApp({ demo: true })
    const other = await loginAs(t, 'user1', 'password1')
    const a = await fresh()
    const { secret, answer } = await enrol(a, { keep_other_sessions: true })
    expect(answer['sessions_revoked']).toBe(0)
    expect(await refreshes(other.refresh_token)).toBe(200)

    const stale = other.access_token
    const mfaSession = await loginWithCode(secret)
    const sid = (await t.inject({ url: '/sessions', headers: bearer(mfaSession) }))
      .json<{ items: { id: string; current: boolean }[] }>()
      .items.find((s) => s.current)!.id
    const attempts = [
      await post('/api-keys', { name: 'mine' }, stale),
      await post('/me/email', { email: 'thief@example.com' }, stale),
      await change(stale),
      await post('/logout', { scope: 'others' }, stale),
      await post('/logout', { scope: 'global' }, stale),
      await t.inject({ method: 'DELETE', url: `/sessions/${sid}`, headers: bearer(stale) }),
    ]
    for (const res of attempts) {
      expect(res.statusCode, res.body).toBe(401)
      expect(res.json()).toMatchObject({ error: 'mfa_required' })
    }
    // The owner's session that passed the factor was not touched, and can do all of it.
    expect((await t.inject({ url: '/me', headers: bearer(mfaSession) })).statusCode).toBe(200)
    expect((await post('/api-keys', { name: 'mine' }, mfaSession)).statusCode).toBe(201)
    // The stale session may still end itself.
    expect((await post('/logout', {}, stale)).statusCode).toBe(200)
    expect((await post('/logout', { scope: 'others' }, mfaSession)).statusCode).toBe(200)
  })

  async function loginWithCode(secret: string): Promise<string> {
    const step = await t.inject({
      method: 'POST',
      url: '/login',
      ...json({ username: 'user1', password: 'password1' }),
    })
    const done = await t.inject({
      method: 'POST',
      url: '/login/mfa',
      ...json({
        mfa_token: step.json<{ mfa_token: string }>().mfa_token,
        code: totpCode(secret, t.clock.now()),
      }),
    })
    expect(done.statusCode, done.body).toBe(200)
    return done.json<{ access_token: string }>().access_token
  }
})
