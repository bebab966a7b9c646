import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeJwt } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import { createStore } from '../../src/store/create-store.js'
import type { Store } from '../../src/store/store.js'
import { bearer, buildTestApp, json, loginAs, type TestApp } from '../helpers/build-test-app.js'
import { createTestDatabase, postgresAvailable } from '../helpers/services.js'
import { totpCode } from '../helpers/totp.js'

let apps: TestApp[] = []
let t: TestApp
afterEach(async () => {
  for (const app of apps) await app.close()
  apps = []
})

async function start(settings: Record<string, unknown> = {}, store?: Store) {
  const app = await buildTestApp({ demo: true, ...settings }, store ? { store } : {})
  apps.push(app)
  return app
}

const post = (app: TestApp, url: string, body: unknown, token?: string) =>
  app.inject({ method: 'POST', url, ...json(body, token ? bearer(token) : {}) })

/** user1 with an authenticator app; returns its secret and recovery codes. */
async function enrol(app: TestApp, token?: string) {
  const access = token ?? (await loginAs(app, 'user1', 'password1')).access_token
  const started = await post(app, '/me/mfa/totp', { name: 'Phone' }, access)
  expect(started.statusCode, started.body).toBe(201)
  const { id, secret, otpauth_uri } = started.json<{
    id: string
    secret: string
    otpauth_uri: string
  }>()
  expect(otpauth_uri).toMatch(/^otpauth:\/\/totp\/Gatehouse:user1\?/)
  expect(otpauth_uri).toContain(`secret=${secret}`)
  const wrong = await post(app, `/me/mfa/totp/${id}/verify`, { code: '000000' }, access)
  expect(wrong.json()).toMatchObject({ error: 'invalid_mfa_code' })
  const code = totpCode(secret, app.clock.now())
  const verified = await post(app, `/me/mfa/totp/${id}/verify`, { code }, access)
  expect(verified.statusCode, verified.body).toBe(200)
  const codes = verified.json<{ recovery_codes: string[] }>().recovery_codes
  // The enrolment code's step is spent: sign-ins start at the next one.
  app.clock.advance(30)
  return { id, secret, recoveryCodes: codes, access }
}

/** The password step: 401 with an mfa_token and nothing else. */
async function passwordStep(app: TestApp, extra: Record<string, unknown> = {}) {
  const res = await post(app, '/login', { username: 'user1', password: 'password1', ...extra })
  expect(res.statusCode).toBe(401)
  expect(res.headers['set-cookie']).toBeUndefined()
  const body = res.json<{ mfa_token: string; factors: unknown[]; error: string }>()
  expect(body.error).toBe('mfa_required')
  return body.mfa_token
}

const sessionsOf = async (app: TestApp) => {
  const user = await app.core.store.users.findByUsernameKey('user1')
  return (
    await app.core.store.sessions.listActiveForUser(user!.id, app.clock.now(), { limit: 100 })
  ).length
}

describe('TOTP second factor', () => {
  it('enrols with a code, then a password alone yields an mfa_token and no session', async () => {
    t = await start()
    const before = (
      await t.inject({
        url: '/me',
        headers: bearer((await loginAs(t, 'user1', 'password1')).access_token),
      })
    ).json<unknown>()
    expect(before).toMatchObject({ mfa_enabled: false })
    const { recoveryCodes, access } = await enrol(t)
    expect(recoveryCodes).toHaveLength(10)
    expect(new Set(recoveryCodes).size).toBe(10)
    expect((await t.inject({ url: '/me', headers: bearer(access) })).json()).toMatchObject({
      mfa_enabled: true,
    })
    const listed = (await t.inject({ url: '/me/mfa', headers: bearer(access) })).json<unknown>()
    expect(listed).toMatchObject({
      factors: [{ type: 'totp', name: 'Phone', last_used_at: expect.any(String) as unknown }],
      recovery_codes_left: 10,
    })

    const sessions = await sessionsOf(t)
    const res = await post(t, '/login', {
      username: 'user1',
      password: 'password1',
      use_cookies: true,
    })
    expect(res.statusCode).toBe(401)
    expect(res.headers['set-cookie']).toBeUndefined()
    expect(res.headers['www-authenticate']).toContain('insufficient_user_authentication')
    const body = res.json<Record<string, unknown>>()
    expect(Object.keys(body).sort()).toEqual(['error', 'factors', 'mfa_token', 'msg'])
    expect(body).toMatchObject({
      msg: 'A second factor is required',
      error: 'mfa_required',
      factors: [{ type: 'totp', name: 'Phone' }],
    })
    expect(await sessionsOf(t)).toBe(sessions)
    // A wrong password still says only that.
    const wrong = await post(t, '/login', { username: 'user1', password: 'nope nope' })
    expect(wrong.json()).toMatchObject({ error: 'invalid_credentials' })
  })

  it('finishes the login with a code; amr and auth_time say so, and a refresh keeps them', async () => {
    t = await start()
    const { secret } = await enrol(t)
    const mfaToken = await passwordStep(t)
    const done = await post(t, '/login/mfa', {
      mfa_token: mfaToken,
      code: totpCode(secret, t.clock.now()),
    })
    expect(done.statusCode, done.body).toBe(200)
    const pair = done.json<{ access_token: string; refresh_token: string }>()
    const claims = decodeJwt(pair.access_token)
    expect(claims['amr']).toEqual(['pwd', 'otp', 'mfa'])
    expect(claims['auth_time']).toBe(Math.floor(t.clock.now() / 1000))
    t.clock.advance(60)
    const refreshed = await post(t, '/refresh', { refresh_token: pair.refresh_token })
    expect(decodeJwt(refreshed.json<{ access_token: string }>().access_token)['amr']).toEqual([
      'pwd',
      'otp',
      'mfa',
    ])
    // The mfa_token worked once.
    const again = await post(t, '/login/mfa', {
      mfa_token: mfaToken,
      code: totpCode(secret, t.clock.now()),
    })
    expect(again.json()).toMatchObject({ error: 'invalid_mfa_token' })
  })

  it('accepts the codes of the steps either side, and refuses an accepted step or an older one', async () => {
    t = await start()
    const { secret } = await enrol(t)
    t.clock.advance(90)
    const finish = async (code: string) =>
      post(t, '/login/mfa', { mfa_token: await passwordStep(t), code })
    expect((await finish(totpCode(secret, t.clock.now(), -1))).statusCode).toBe(200)
    // The same code again (RFC 6238 §5.2), and the step before it: both refused.
    expect((await finish(totpCode(secret, t.clock.now(), -1))).json()).toMatchObject({
      error: 'invalid_mfa_code',
    })
    expect((await finish(totpCode(secret, t.clock.now(), -2))).statusCode).toBe(401)
    expect((await finish(totpCode(secret, t.clock.now(), 1))).statusCode).toBe(200)
    expect((await finish(totpCode(secret, t.clock.now(), 0))).statusCode).toBe(401)
    expect((await finish(totpCode(secret, t.clock.now(), 2))).statusCode).toBe(401)
  })

  it('an mfa_token lasts five minutes and dies after five wrong codes', async () => {
    t = await start({ lockoutThreshold: 20 })
    const { secret } = await enrol(t)
    const late = await passwordStep(t)
    t.clock.advance(301)
    const expired = await post(t, '/login/mfa', {
      mfa_token: late,
      code: totpCode(secret, t.clock.now()),
    })
    expect(expired.json()).toMatchObject({ error: 'invalid_mfa_token' })

    const token = await passwordStep(t)
    for (let i = 0; i < 5; i++) {
      const wrong = await post(t, '/login/mfa', { mfa_token: token, code: '000000' })
      expect(wrong.json()).toMatchObject({ error: 'invalid_mfa_code' })
    }
    const right = await post(t, '/login/mfa', {
      mfa_token: token,
      code: totpCode(secret, t.clock.now()),
    })
    expect(right.json()).toMatchObject({ error: 'invalid_mfa_token' })
    const types = (await t.core.store.audit.list({ type: 'mfa_failure' }, { limit: 10 })).length
    expect(types).toBe(5)
  })

  it('refuses malformed second steps with 4xx', async () => {
    t = await start()
    const { secret } = await enrol(t)
    const token = await passwordStep(t)
    const code = totpCode(secret, t.clock.now())
    const cases: [unknown, number][] = [
      [{ mfa_token: token }, 400],
      [{ mfa_token: token, code, recovery_code: 'abcde-fghij' }, 400],
      [{ mfa_token: 'gthf_nope', code }, 401],
      [{ mfa_token: token, code: 'abcdef' }, 401],
      [{ mfa_token: token, code: '1'.repeat(65) }, 400],
      [{ mfa_token: token, code, extra: 1 }, 400],
    ]
    for (const [body, status] of cases) {
      expect((await post(t, '/login/mfa', body)).statusCode, JSON.stringify(body)).toBe(status)
    }
  })
})

describe('second steps and password changes', () => {
  it('a password change ends the second steps begun with the old password', async () => {
    t = await start()
    const passwordOnly = (await loginAs(t, 'user1', 'password1')).access_token
    const { secret } = await enrol(t, passwordOnly)
    const pending = await passwordStep(t)
    // The change needs a sign-in that passed the factor (the next time step: each once).
    const strong = await post(t, '/login/mfa', {
      mfa_token: await passwordStep(t),
      code: totpCode(secret, t.clock.now()),
    })
    t.clock.advance(30)
    const changed = await post(
      t,
      '/me/password',
      { current_password: 'password1', new_password: 'a new passphrase for user1' },
      strong.json<{ access_token: string }>().access_token,
    )
    expect(changed.statusCode).toBe(200)
    const late = await post(t, '/login/mfa', {
      mfa_token: pending,
      code: totpCode(secret, t.clock.now()),
    })
    expect(late.json()).toMatchObject({ error: 'invalid_mfa_token' })
  })
})

describe('recovery codes', () => {
  it('each works once, in any case and with or without the dash; a new set kills the old', async () => {
    t = await start()
    const { recoveryCodes } = await enrol(t)
    const use = async (recovery_code: string) =>
      post(t, '/login/mfa', { mfa_token: await passwordStep(t), recovery_code })
    const first = await use(recoveryCodes[0]!.toUpperCase().replace('-', ''))
    expect(first.statusCode, first.body).toBe(200)
    const access = first.json<{ access_token: string }>().access_token
    expect(decodeJwt(access)['amr']).toEqual(['pwd', 'mfa'])
    expect((await use(recoveryCodes[0]!)).json()).toMatchObject({ error: 'invalid_mfa_code' })
    expect((await t.inject({ url: '/me/mfa', headers: bearer(access) })).json()).toMatchObject({
      recovery_codes_left: 9,
    })
    const renewed = await post(t, '/me/mfa/recovery-codes', {}, access)
    expect(renewed.statusCode).toBe(200)
    const fresh = renewed.json<{ recovery_codes: string[] }>().recovery_codes
    expect((await use(recoveryCodes[1]!)).statusCode).toBe(401)
    expect((await use(fresh[0]!)).statusCode).toBe(200)
  })
})

describe('step-up: changing factors', () => {
  it('needs a login that passed the second factor once there is one, and a fresh one', async () => {
    t = await start()
    const passwordOnly = (await loginAs(t, 'user1', 'password1')).access_token
    const { id, secret } = await enrol(t, passwordOnly)
    // The session from before the factor existed has no `mfa`: it may change nothing now.
    for (const res of [
      await post(t, '/me/mfa/totp', {}, passwordOnly),
      await post(t, '/me/mfa/recovery-codes', {}, passwordOnly),
      await t.inject({ method: 'DELETE', url: `/me/mfa/${id}`, headers: bearer(passwordOnly) }),
    ]) {
      expect(res.statusCode).toBe(401)
      expect(res.json()).toMatchObject({ error: 'mfa_required' })
      expect(res.headers['www-authenticate']).toContain('insufficient_user_authentication')
    }
    const done = await post(t, '/login/mfa', {
      mfa_token: await passwordStep(t),
      code: totpCode(secret, t.clock.now()),
    })
    const pair = done.json<{ access_token: string; refresh_token: string }>()
    const refreshed = (await post(t, '/refresh', { refresh_token: pair.refresh_token })).json<{
      access_token: string
    }>().access_token
    const stale = await t.inject({
      method: 'DELETE',
      url: `/me/mfa/${id}`,
      headers: bearer(refreshed),
    })
    expect(stale.json()).toMatchObject({ error: 'fresh_token_required' })
    const removed = await t.inject({
      method: 'DELETE',
      url: `/me/mfa/${id}`,
      headers: bearer(pair.access_token),
    })
    expect(removed.statusCode).toBe(204)
    // No factor left: the password alone signs in again, and the codes went with it.
    const after = await loginAs(t, 'user1', 'password1')
    expect(
      (await t.inject({ url: '/me/mfa', headers: bearer(after.access_token) })).json(),
    ).toEqual({
      factors: [],
      recovery_codes_left: 0,
    })
  })
})

describe('administrators', () => {
  it('see and reset a user’s factors; the reset is audited', async () => {
    t = await start()
    await enrol(t)
    const admin = (await loginAs(t, 'admin', 'adminpass')).access_token
    const users = (await t.inject({ url: '/admin/users', headers: bearer(admin) })).json<{
      items: { id: string; username: string; mfa_enabled: boolean }[]
    }>().items
    const user1 = users.find((u) => u.username === 'user1')!
    expect(user1.mfa_enabled).toBe(true)
    expect(users.find((u) => u.username === 'user2')!.mfa_enabled).toBe(false)
    const reset = await t.inject({
      method: 'DELETE',
      url: `/admin/users/${user1.id}/mfa`,
      headers: bearer(admin),
    })
    expect(reset.json()).toEqual({ msg: 'Second factors removed', factors_removed: 1 })
    expect((await post(t, '/login', { username: 'user1', password: 'password1' })).statusCode).toBe(
      200,
    )
    const audit = await t.core.store.audit.list({ type: 'mfa_reset' }, { limit: 5 })
    expect(audit[0]?.details).toMatchObject({ factors_removed: 1 })
    const missing = await t.inject({
      method: 'DELETE',
      url: '/admin/users/00000000-0000-7000-8000-000000000000/mfa',
      headers: bearer(admin),
    })
    expect(missing.statusCode).toBe(404)
  })

  it('GATEHOUSE_MFA_REQUIRED_ROLES: the role works only after a login with a second factor', async () => {
    t = await start({ mfaRequiredRoles: 'admin' })
    const password = (await loginAs(t, 'admin', 'adminpass')).access_token
    const refused = await t.inject({ url: '/admin/users', headers: bearer(password) })
    expect(refused.statusCode).toBe(401)
    expect(refused.json()).toMatchObject({ error: 'mfa_required' })
    // Enrolling needs no role: the admin sets up a factor, then signs in with it.
    const started = await post(t, '/me/mfa/totp', {}, password)
    const { id, secret } = started.json<{ id: string; secret: string }>()
    await post(t, `/me/mfa/totp/${id}/verify`, { code: totpCode(secret, t.clock.now()) }, password)
    t.clock.advance(30)
    const step = await post(t, '/login', { username: 'admin', password: 'adminpass' })
    const done = await post(t, '/login/mfa', {
      mfa_token: step.json<{ mfa_token: string }>().mfa_token,
      code: totpCode(secret, t.clock.now()),
    })
    const strong = done.json<{ access_token: string }>().access_token
    expect((await t.inject({ url: '/admin/users', headers: bearer(strong) })).statusCode).toBe(200)
    // Other users' routes are untouched.
    expect((await loginAs(t, 'user1', 'password1')).access_token).toBeTruthy()
  })
})

describe.each([
  ['SQLite', false],
  ['PostgreSQL', true],
])('two instances on one %s store', (_name, postgres) => {
  it('race one code: exactly one accepts it', async () => {
    let url: string
    let cleanup: () => Promise<void>
    if (postgres) {
      if (!(await postgresAvailable())) return
      const database = await createTestDatabase()
      url = database.url
      cleanup = () => database.drop()
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-mfa-'))
      url = join(dir, 'shared.db')
      cleanup = () => Promise.resolve(rmSync(dir, { recursive: true, force: true }))
    }
    const store = createStore(url)
    try {
      const shared = { ...store, close: () => Promise.resolve() }
      const settings = {
        secret: 'one secret for both instances, long enough',
        ...(postgres && { issuer: 'http://127.0.0.1:8080' }),
      }
      const a = await start(settings, shared)
      const b = await start(settings, shared)
      const { secret } = await enrol(a)
      b.clock.advance((a.clock.now() - b.clock.now()) / 1000)
      const tokens = await Promise.all([passwordStep(a), passwordStep(b), passwordStep(a)])
      const code = totpCode(secret, a.clock.now())
      const answers = await Promise.all(
        tokens.map((mfa_token, i) => post(i === 1 ? b : a, '/login/mfa', { mfa_token, code })),
      )
      expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 401, 401])
    } finally {
      for (const app of apps) await app.close()
      apps = []
      await store.close()
      await cleanup()
    }
  })
})
