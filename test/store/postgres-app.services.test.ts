import { decodeJwt } from 'jose'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createPostgresStore } from '../../src/store/kysely/postgres.js'
import {
  bearer,
  buildTestApp,
  json,
  loginAs,
  register,
  type TestApp,
} from '../helpers/build-test-app.js'
import { createTestSchema, POSTGRES_URL, postgresAvailable } from '../helpers/services.js'

const available = await postgresAvailable()
const schemas: { drop(): Promise<void> }[] = []
afterAll(async () => {
  await Promise.all(schemas.map((s) => s.drop()))
})

describe.skipIf(!available)('the HTTP API on PostgreSQL', () => {
  let t: TestApp
  beforeEach(async () => {
    const schema = await createTestSchema()
    schemas.push(schema)
    t = await buildTestApp(
      { demo: true },
      { store: createPostgresStore(POSTGRES_URL, { schema: schema.name }) },
    )
  })
  afterEach(() => t.close())

  // Issue 11, point 6: PostgreSQL refuses U+0000 in text; that must be bad input, not a 500.
  it('answers NUL bytes in ids, cursors, searches, client ids and usernames with 4xx, never 500', async () => {
    const admin = bearer((await loginAs(t, 'admin', 'adminpass')).access_token)
    const nulCursor = Buffer.from(JSON.stringify([1, 'a\u0000b'])).toString('base64url')
    const requests = [
      { url: '/admin/users/a%00b', headers: admin },
      { url: '/admin/users?search=a%00b', headers: admin },
      { url: `/admin/users?cursor=${nulCursor}`, headers: admin },
      { url: `/sessions?cursor=${nulCursor}`, headers: admin },
      { url: '/admin/audit?user_id=a%00b', headers: admin },
      { method: 'DELETE' as const, url: '/sessions/a%00b', headers: admin },
      { method: 'DELETE' as const, url: '/admin/clients/a%00b', headers: admin },
      {
        method: 'POST' as const,
        url: '/login',
        ...json({ username: 'a\u0000b', password: 'x'.repeat(9) }),
      },
      {
        method: 'POST' as const,
        url: '/oauth/token',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from('a\u0000b:gthc_secret').toString('base64')}`,
        },
        payload: 'grant_type=client_credentials',
      },
      {
        method: 'POST' as const,
        url: '/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'grant_type=client_credentials&client_id=a%00b&client_secret=gthc_x',
      },
    ]
    for (const request of requests) {
      const res = await t.inject(request)
      expect(res.statusCode, `${request.url} ${res.body}`).toBeGreaterThanOrEqual(400)
      expect(res.statusCode, `${request.url} ${res.body}`).toBeLessThan(500)
    }
  })

  it('runs the seed flow', async () => {
    expect((await register(t, 'pgalice', 'postgres passphrase here')).statusCode).toBe(201)
    const { access_token } = await loginAs(t, 'PGALICE', 'postgres passphrase here')
    expect((await t.inject({ url: '/data', headers: bearer(access_token) })).json()).toEqual({
      data: 'Sensitive data for pgalice',
    })
    const admin = await loginAs(t, 'admin', 'adminpass')
    expect(
      (await t.inject({ url: '/admin', headers: bearer(admin.access_token) })).statusCode,
    ).toBe(200)
  })

  it('20 concurrent registrations of one name give exactly one 201', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => register(t, 'pgracer', `race passphrase ${i}`)),
    )
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1)
    expect(results.filter((r) => r.statusCode === 400)).toHaveLength(19)
  })

  it('rotates refresh tokens race-free and detects reuse', async () => {
    const login = await loginAs(t, 'user1', 'password1')
    const refresh = (token: string) =>
      t.inject({ method: 'POST', url: '/refresh', ...json({ refresh_token: token }) })
    const results = await Promise.all(Array.from({ length: 5 }, () => refresh(login.refresh_token)))
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200])
    expect(
      new Set(results.map((r) => r.json<{ refresh_token: string }>().refresh_token)).size,
    ).toBe(1)
    t.clock.advance(11)
    expect((await refresh(login.refresh_token)).json()).toMatchObject({
      error: 'refresh_token_reused',
    })
    const next = results[0]!.json<{ access_token: string }>().access_token
    expect((await t.inject({ url: '/protected', headers: bearer(next) })).json()).toMatchObject({
      error: 'token_revoked',
    })
  })

  it('handles API keys, admin changes, the audit log and key rotation', async () => {
    const user = await loginAs(t, 'user1', 'password1')
    const key = (
      await t.inject({
        method: 'POST',
        url: '/api-keys',
        ...json({ name: 'pg' }, bearer(user.access_token)),
      })
    ).json<{ key: string }>().key
    expect((await t.inject({ url: '/protected', headers: bearer(key) })).statusCode).toBe(200)
    const admin = (await loginAs(t, 'admin', 'adminpass')).access_token
    const id = decodeJwt(user.access_token).sub!
    const patched = await t.inject({
      method: 'PATCH',
      url: `/admin/users/${id}`,
      ...json({ disabled: true }, bearer(admin)),
    })
    expect(patched.json()).toMatchObject({ disabled: true })
    expect((await t.inject({ url: '/protected', headers: bearer(key) })).statusCode).toBe(401)
    const audit = await t.inject({
      url: `/admin/audit?user_id=${id}&limit=2`,
      headers: bearer(admin),
    })
    expect(audit.json<{ items: { type: string }[] }>().items.map((e) => e.type)).toEqual([
      'user_updated',
      'api_key_created',
    ])
    const rotated = await t.inject({
      method: 'POST',
      url: '/admin/keys/rotate',
      headers: bearer(admin),
    })
    expect(rotated.statusCode).toBe(200)
    expect((await t.inject({ url: '/admin', headers: bearer(admin) })).statusCode).toBe(200)
  })
})
