import { decodeJwt } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer, buildTestApp, json, loginAs, type TestApp } from '../helpers/build-test-app.js'

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp({ demo: true })
})
afterEach(() => t.close())

type Pair = { access_token: string; refresh_token: string; expires_in: number }

const refresh = (refreshToken: string) =>
  t.inject({ method: 'POST', url: '/refresh', ...json({ refresh_token: refreshToken }) })

async function refreshOk(refreshToken: string): Promise<Pair> {
  const res = await refresh(refreshToken)
  expect(res.statusCode, res.body).toBe(200)
  return res.json<Pair>()
}

const auditTypes = async () =>
  (await t.core.store.audit.list({}, { limit: 100 })).map((e) => e.type)

const PROTECTED = ['/protected', '/data', '/me', '/sessions']

async function expectRevoked(accessToken: string) {
  for (const url of PROTECTED) {
    const res = await t.inject({ url, headers: bearer(accessToken) })
    expect(res.statusCode, url).toBe(401)
    expect(res.json(), url).toEqual({ msg: 'Token has been revoked', error: 'token_revoked' })
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"')
  }
}

async function expectWorks(accessToken: string) {
  expect((await t.inject({ url: '/protected', headers: bearer(accessToken) })).statusCode).toBe(200)
}

describe('POST /refresh', () => {
  it('rotates: a new pair with a non-fresh access token in the same session, no-store', async () => {
    const login = await loginAs(t, 'user1', 'password1')
    const res = await refresh(login.refresh_token)
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const next = res.json<Pair>()
    expect(Object.keys(next).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'token_type',
    ])
    expect(next.refresh_token).toMatch(/^gthr_[A-Za-z0-9_-]{43}$/)
    expect(next.refresh_token).not.toBe(login.refresh_token)
    const before = decodeJwt(login.access_token)
    const after = decodeJwt(next.access_token)
    expect(before['fresh']).toBe(true)
    expect(after['fresh']).toBe(false)
    expect(after['sid']).toBe(before['sid'])
    expect(after.jti).not.toBe(before.jti)
    await expectWorks(next.access_token)
    // The successor rotates in turn.
    await refreshOk(next.refresh_token)
    expect(await auditTypes()).toEqual(expect.arrayContaining(['login_success', 'refresh']))
  })

  it('gives 5 parallel refreshes of one token within the window one successor', async () => {
    const login = await loginAs(t, 'user1', 'password1')
    const results = await Promise.all(Array.from({ length: 5 }, () => refresh(login.refresh_token)))
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200])
    const successors = new Set(results.map((r) => r.json<Pair>().refresh_token))
    expect(successors.size).toBe(1)
    for (const res of results) await expectWorks(res.json<Pair>().access_token)
    const [successor] = successors
    await refreshOk(successor!)
    expect((await auditTypes()).filter((type) => type === 'refresh')).toHaveLength(2)
  })

  it('replays the same successor to a late duplicate inside the window', async () => {
    const login = await loginAs(t, 'user1', 'password1')
    const first = await refreshOk(login.refresh_token)
    t.clock.advance(9)
    const again = await refreshOk(login.refresh_token)
    expect(again.refresh_token).toBe(first.refresh_token)
  })

  it('revokes the whole family when a rotated token is reused after the window', async () => {
    const login = await loginAs(t, 'user1', 'password1')
    const first = await refreshOk(login.refresh_token)
    const second = await refreshOk(first.refresh_token)
    t.clock.advance(11)

    const reuse = await refresh(login.refresh_token)
    expect(reuse.statusCode).toBe(401)
    expect(reuse.json()).toMatchObject({ error: 'refresh_token_reused' })

    // Every token of the family is dead: the live refresh token and the access tokens.
    const live = await refresh(second.refresh_token)
    expect(live.statusCode).toBe(401)
    expect(live.json()).toMatchObject({ error: 'invalid_refresh_token' })
    await expectRevoked(second.access_token)
    await expectRevoked(login.access_token)
    expect(await auditTypes()).toContain('refresh_reuse_detected')

    // Other sessions of the same user are untouched.
    const other = await loginAs(t, 'user1', 'password1')
    await expectWorks(other.access_token)
  })

  it('refuses unknown, malformed and missing refresh tokens with a clear error', async () => {
    const unknown = await refresh(`gthr_${'A'.repeat(43)}`)
    expect(unknown.statusCode).toBe(401)
    expect(unknown.json()).toEqual({ msg: 'Invalid refresh token', error: 'invalid_refresh_token' })
    for (const bad of ['', 'gthr_short', 'x'.repeat(48), `gthr_${'!'.repeat(43)}`]) {
      expect((await refresh(bad)).json()).toMatchObject({ error: 'invalid_refresh_token' })
    }
    const missing = await t.inject({ method: 'POST', url: '/refresh' })
    expect(missing.statusCode).toBe(400)
    expect(missing.json<{ msg: string }>().msg).toMatch(/Missing refresh token/)
    const wrongType = await t.inject({
      method: 'POST',
      url: '/refresh',
      ...json({ refresh_token: 42 }),
    })
    expect(wrongType.statusCode).toBe(400)
    // An access token is not a refresh token.
    const login = await loginAs(t, 'user1', 'password1')
    expect((await refresh(login.access_token)).json()).toMatchObject({
      error: 'invalid_refresh_token',
    })
  })

  it('refuses an expired refresh token (idle limit) and a session past its absolute end', async () => {
    const idle = await buildTestApp({ demo: true, refreshTtl: 3600, sessionMaxAge: 7200 })
    try {
      const call = (token: string) =>
        idle.inject({ method: 'POST', url: '/refresh', ...json({ refresh_token: token }) })
      const a = await loginAs(idle, 'user1', 'password1')
      idle.clock.advance(3601)
      const expired = await call(a.refresh_token)
      expect(expired.statusCode).toBe(401)
      expect(expired.json()).toEqual({
        msg: 'Refresh token has expired; log in again',
        error: 'refresh_token_expired',
      })

      const b = await loginAs(idle, 'user1', 'password1')
      idle.clock.advance(3000)
      const b2 = (await call(b.refresh_token)).json<Pair>()
      idle.clock.advance(3000)
      const b3 = (await call(b2.refresh_token)).json<Pair>()
      idle.clock.advance(1300) // 7300 s after login: past the session's absolute end
      expect((await call(b3.refresh_token)).json()).toMatchObject({
        error: 'refresh_token_expired',
      })
    } finally {
      await idle.close()
    }
  })

  it('refuses refreshing after the session was ended by logout', async () => {
    const login = await loginAs(t, 'user1', 'password1')
    await t.inject({ method: 'POST', url: '/logout', headers: bearer(login.access_token) })
    const res = await refresh(login.refresh_token)
    expect(res.statusCode).toBe(401)
    expect(res.json()).toMatchObject({ error: 'invalid_refresh_token' })
  })
})

describe('POST /logout', () => {
  async function threeSessions() {
    return Promise.all([1, 2, 3].map(() => loginAs(t, 'user1', 'password1')))
  }
  const logout = (token: string, body?: object) =>
    t.inject({
      method: 'POST',
      url: '/logout',
      ...(body ? json(body, bearer(token)) : { headers: bearer(token) }),
    })

  it('local (the default, no body) ends this session and denylists the token', async () => {
    const [a, b, c] = await threeSessions()
    const res = await logout(a!.access_token)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ msg: 'Successfully logged out', sessions_revoked: 1 })
    await expectRevoked(a!.access_token)
    expect((await logout(a!.access_token)).statusCode).toBe(401)
    await expectWorks(b!.access_token)
    await expectWorks(c!.access_token)
    expect((await refresh(b!.refresh_token)).statusCode).toBe(200)
    expect(await auditTypes()).toContain('logout')
  })

  it('others ends every other session and keeps this one', async () => {
    const [a, b, c] = await threeSessions()
    const other = await loginAs(t, 'user2', 'password2')
    const res = await logout(b!.access_token, { scope: 'others' })
    expect(res.json()).toMatchObject({ sessions_revoked: 2 })
    await expectWorks(b!.access_token)
    await expectRevoked(a!.access_token)
    await expectRevoked(c!.access_token)
    expect((await refresh(a!.refresh_token)).statusCode).toBe(401)
    expect((await refresh(b!.refresh_token)).statusCode).toBe(200)
    await expectWorks(other.access_token)
  })

  it('global ends every session of the user, and only that user', async () => {
    const sessions = await threeSessions()
    const other = await loginAs(t, 'user2', 'password2')
    const res = await logout(sessions[0]!.access_token, { scope: 'global' })
    expect(res.json()).toMatchObject({ sessions_revoked: 3 })
    for (const s of sessions) {
      await expectRevoked(s.access_token)
      expect((await refresh(s.refresh_token)).statusCode).toBe(401)
    }
    await expectWorks(other.access_token)
  })

  it('refuses an unknown scope and unknown fields', async () => {
    const [a] = await threeSessions()
    expect((await logout(a!.access_token, { scope: 'everything' })).statusCode).toBe(400)
    expect((await logout(a!.access_token, { scope: 'local', also: 1 })).statusCode).toBe(400)
    await expectWorks(a!.access_token)
  })

  it('keeps revocations across a restart (the store feeds the in-memory list)', async () => {
    const { tempDir } = await import('../helpers/cli.js')
    const tmp = tempDir()
    const settings = {
      demo: true,
      database: `${tmp.dir}/restart.db`,
      secret: 'restart test secret that is long enough 0123',
    }
    try {
      const first = await buildTestApp(settings)
      const login = await loginAs(first, 'user1', 'password1')
      await first.inject({ method: 'POST', url: '/logout', headers: bearer(login.access_token) })
      await first.close()
      const second = await buildTestApp(settings)
      const res = await second.inject({ url: '/protected', headers: bearer(login.access_token) })
      expect(res.json()).toMatchObject({ error: 'token_revoked' })
      await second.close()
    } finally {
      tmp.remove()
    }
  })
})

describe('fresh tokens and POST /me/password', () => {
  const change = (token: string, current: string, next: string) =>
    t.inject({
      method: 'POST',
      url: '/me/password',
      ...json({ current_password: current, new_password: next }, bearer(token)),
    })

  it('refuses a refreshed token and says a fresh login is needed', async () => {
    const login = await loginAs(t, 'user1', 'password1')
    const refreshed = await refreshOk(login.refresh_token)
    const res = await change(refreshed.access_token, 'password1', 'a brand new passphrase')
    expect(res.statusCode).toBe(401)
    expect(res.json()).toMatchObject({ error: 'fresh_token_required' })
    expect(res.json<{ msg: string }>().msg).toMatch(/log in again/)
    expect(res.headers['www-authenticate']).toContain('error="insufficient_user_authentication"')
  })

  it('changes the password, keeps this session and ends the others', async () => {
    const here = await loginAs(t, 'user1', 'password1')
    const elsewhere = await loginAs(t, 'user1', 'password1')
    const res = await change(here.access_token, 'password1', 'a brand new passphrase')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({
      msg: 'Password changed',
      sessions_revoked: 1,
      api_keys_revoked: 0,
    })

    await expectWorks(here.access_token)
    expect((await refresh(here.refresh_token)).statusCode).toBe(200)
    await expectRevoked(elsewhere.access_token)
    expect((await refresh(elsewhere.refresh_token)).statusCode).toBe(401)

    const old = await t.inject({
      method: 'POST',
      url: '/login',
      ...json({ username: 'user1', password: 'password1' }),
    })
    expect(old.statusCode).toBe(401)
    await loginAs(t, 'user1', 'a brand new passphrase')
    expect(await auditTypes()).toContain('password_changed')
  })

  it('refuses a wrong current password and a weak new one, changing nothing', async () => {
    const login = await loginAs(t, 'user1', 'password1')
    const wrong = await change(login.access_token, 'not my password', 'a brand new passphrase')
    expect(wrong.statusCode).toBe(403)
    expect(wrong.json()).toMatchObject({ error: 'incorrect_password' })
    const weak = await change(login.access_token, 'password1', 'qwerty123')
    expect(weak.statusCode).toBe(400)
    expect(weak.json()).toMatchObject({ error: 'weak_password' })
    await loginAs(t, 'user1', 'password1')
  })
})

describe('GET /me and the session list', () => {
  it('GET /me describes the user', async () => {
    const login = await loginAs(t, 'admin', 'adminpass')
    const res = await t.inject({ url: '/me', headers: bearer(login.access_token) })
    expect(res.json()).toEqual({
      id: decodeJwt(login.access_token).sub,
      username: 'admin',
      roles: ['admin'],
      created_at: new Date(t.clock.now()).toISOString(),
      email: null,
      email_verified: false,
      mfa_enabled: false,
    })
  })

  it('lists own live sessions newest first, with cursor pagination', async () => {
    const logins: Pair[] = []
    for (let i = 0; i < 3; i++) {
      logins.push(
        (
          await t.inject({
            method: 'POST',
            url: '/login',
            headers: { 'content-type': 'application/json', 'user-agent': `agent-${i}` },
            payload: JSON.stringify({ username: 'user1', password: 'password1' }),
          })
        ).json<Pair>(),
      )
      t.clock.advance(1)
    }
    await loginAs(t, 'user2', 'password2')
    const token = logins[2]!.access_token
    const page1 = await t.inject({ url: '/sessions?limit=2', headers: bearer(token) })
    const body1 = page1.json<{
      items: { user_agent: string; current: boolean; ip: string }[]
      next_cursor: string
    }>()
    expect(body1.items.map((s) => s.user_agent)).toEqual(['agent-2', 'agent-1'])
    expect(body1.items.map((s) => s.current)).toEqual([true, false])
    expect(body1.items[0]!.ip).toBe('127.0.0.1')
    expect(body1.next_cursor).toEqual(expect.any(String))

    const page2 = await t.inject({
      url: `/sessions?limit=2&cursor=${body1.next_cursor}`,
      headers: bearer(token),
    })
    const body2 = page2.json<{ items: { user_agent: string }[]; next_cursor: string | null }>()
    expect(body2.items.map((s) => s.user_agent)).toEqual(['agent-0'])
    expect(body2.next_cursor).toBeNull()

    for (const bad of ['cursor=not-a-cursor', 'limit=0', 'limit=101', 'limit=abc', 'other=1']) {
      const res = await t.inject({ url: `/sessions?${bad}`, headers: bearer(token) })
      expect(res.statusCode, bad).toBe(400)
    }
  })

  it('DELETE /sessions/{id} ends an own session; another user’s is 404', async () => {
    const a = await loginAs(t, 'user1', 'password1')
    const b = await loginAs(t, 'user1', 'password1')
    const mallory = await loginAs(t, 'user2', 'password2')
    const sid = decodeJwt(b.access_token)['sid'] as string

    const foreign = await t.inject({
      method: 'DELETE',
      url: `/sessions/${sid}`,
      headers: bearer(mallory.access_token),
    })
    expect(foreign.statusCode).toBe(404)
    expect(foreign.json()).toEqual({ msg: 'No such session', error: 'not_found' })
    await expectWorks(b.access_token)

    const res = await t.inject({
      method: 'DELETE',
      url: `/sessions/${sid}`,
      headers: bearer(a.access_token),
    })
    expect(res.statusCode).toBe(204)
    expect(res.body).toBe('')
    await expectRevoked(b.access_token)
    expect((await refresh(b.refresh_token)).statusCode).toBe(401)
    await expectWorks(a.access_token)
    const again = await t.inject({
      method: 'DELETE',
      url: `/sessions/${sid}`,
      headers: bearer(a.access_token),
    })
    expect(again.statusCode).toBe(404)
    expect(await auditTypes()).toContain('session_revoked')
  })
})

describe('audit log', () => {
  it('records login success and failure with user, IP, user agent and time, never the password', async () => {
    await t.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/json', 'user-agent': 'audit-agent' },
      payload: JSON.stringify({ username: 'user1', password: 'wrong-secret-pw' }),
    })
    await t.inject({
      method: 'POST',
      url: '/login',
      ...json({ username: 'ghost', password: 'ghost-secret-pw' }),
    })
    await loginAs(t, 'user1', 'password1')
    const events = await t.core.store.audit.list({}, { limit: 3 })
    expect(events.map((e) => e.type)).toEqual(['login_success', 'login_failure', 'login_failure'])
    const [success, unknown, wrong] = events
    expect(wrong).toMatchObject({
      userAgent: 'audit-agent',
      ip: '127.0.0.1',
      details: { reason: 'wrong_password' },
    })
    expect(wrong!.userId).toBe(success!.userId)
    expect(unknown).toMatchObject({
      userId: null,
      details: { reason: 'unknown_user', username: 'ghost' },
    })
    expect(JSON.stringify(events)).not.toMatch(/secret-pw|password1/)
  })
})
