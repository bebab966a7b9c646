import { runMaintenance } from '../../src/auth/maintenance.js'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { AUDIT_EVENT_TYPES, type AuditEventRecord } from '../../src/store/store.js'
import { bearer, buildTestApp, json, loginAs, type TestApp } from '../helpers/build-test-app.js'
import { totpCode } from '../helpers/totp.js'
import { PageClient } from '../helpers/page-client.js'
import { createHash } from 'node:crypto'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({ demo: true, reuseWindow: 2 })
})
afterAll(() => t.close())

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  t.inject({ method: 'POST', url, ...json(body, headers) })

const form = (params: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(params).toString(),
})

/** Runs every security-relevant action once, over HTTP, the way clients would. */
async function runEverySecurityAction(): Promise<void> {
  const admin = (await loginAs(t, 'admin', 'adminpass')).access_token
  const asAdmin = bearer(admin)
  expect(
    (
      await post('/register', {
        username: 'erin',
        password: 'erin has a passphrase',
        email: 'erin@example.com',
      })
    ).statusCode,
  ).toBe(201)
  // Without SMTP the link waits in the outbox.
  const [mail] = await t.core.store.mail.list({ status: 'outbox' }, { limit: 1 })
  const emailToken = /token=(gthm_[\w-]+)/.exec(mail?.text ?? '')?.[1] ?? ''
  expect((await post('/email/verify', { token: emailToken })).statusCode).toBe(200)
  // Someone else gives erin's (verified) address: she is told.
  expect(
    (
      await post('/register', {
        username: 'mallory',
        password: 'mallory has a passphrase',
        email: 'erin@example.com',
      })
    ).statusCode,
  ).toBe(201)
  expect(
    (await post('/login', { username: 'erin', password: 'not her password' })).statusCode,
  ).toBe(401)
  const erin = await loginAs(t, 'erin', 'erin has a passphrase')
  const rotated = await post('/refresh', { refresh_token: erin.refresh_token })
  expect(rotated.statusCode).toBe(200)
  t.clock.advance(3)
  expect((await post('/refresh', { refresh_token: erin.refresh_token })).statusCode).toBe(401)

  const again = await loginAs(t, 'erin', 'erin has a passphrase')
  const asErin = bearer(again.access_token)
  const wrongCurrent = await post(
    '/me/password',
    { current_password: 'wrong guess', new_password: 'a brand new passphrase' },
    asErin,
  )
  expect(wrongCurrent.statusCode).toBe(403)
  // A second session, which the password change ends.
  await loginAs(t, 'erin', 'erin has a passphrase')
  const changed = await post(
    '/me/password',
    { current_password: 'erin has a passphrase', new_password: 'a brand new passphrase' },
    asErin,
  )
  expect(changed.statusCode).toBe(200)
  await loginAs(t, 'erin', 'a brand new passphrase')
  const sessions = await t.inject({ url: '/sessions', headers: asErin })
  const session = sessions
    .json<{ items: { id: string; current: boolean }[] }>()
    .items.find((s) => !s.current)
  expect(session).toBeDefined()
  expect(
    (await t.inject({ method: 'DELETE', url: `/sessions/${session?.id}`, headers: asErin }))
      .statusCode,
  ).toBe(204)

  const key = await post('/api-keys', { name: 'ci' }, asErin)
  expect(key.statusCode).toBe(201)
  const keyId = key.json<{ id: string }>().id
  expect(
    (await t.inject({ method: 'DELETE', url: `/api-keys/${keyId}`, headers: asErin })).statusCode,
  ).toBe(204)
  expect((await post('/logout', {}, asErin)).statusCode).toBe(200)

  // Forgot and reset, then a change of address (links from the outbox).
  const newestLink = async () => {
    const recent = await t.core.store.mail.list({ status: 'outbox' }, { limit: 5 })
    const withLink = recent.find((m) => m.text.includes('token=gthm_'))
    return /token=(gthm_[\w-]+)/.exec(withLink?.text ?? '')?.[1] ?? ''
  }
  expect((await post('/password/forgot', { email: 'erin@example.com' })).statusCode).toBe(202)
  await t.core.auth.background.idle()
  const reset = { token: await newestLink(), new_password: 'a reset passphrase here' }
  expect((await post('/password/reset', reset)).statusCode).toBe(200)
  const afterReset = bearer((await loginAs(t, 'erin', 'a reset passphrase here')).access_token)
  const move = await post('/me/email', { email: 'erin@new.example' }, afterReset)
  expect(move.statusCode).toBe(202)
  const moved = await post('/email/verify', { token: await newestLink() })
  expect(moved.statusCode).toBe(200)

  // A second factor: enrol, a wrong then a right second step, new codes, remove, reset.
  const started = await post('/me/mfa/totp', {}, afterReset)
  const { id, secret } = started.json<{ id: string; secret: string }>()
  const code = () => totpCode(secret, t.clock.now())
  expect((await post(`/me/mfa/totp/${id}/verify`, { code: code() }, afterReset)).statusCode).toBe(
    200,
  )
  t.clock.advance(30)
  const step = await post('/login', { username: 'erin', password: 'a reset passphrase here' })
  const mfa_token = step.json<{ mfa_token: string }>().mfa_token
  expect((await post('/login/mfa', { mfa_token, code: '000000' })).statusCode).toBe(401)
  const strong = await post('/login/mfa', { mfa_token, code: code() })
  const asStrong = bearer(strong.json<{ access_token: string }>().access_token)
  expect((await post('/me/mfa/recovery-codes', {}, asStrong)).statusCode).toBe(200)
  const removed = await t.inject({ method: 'DELETE', url: `/me/mfa/${id}`, headers: asStrong })
  expect(removed.statusCode).toBe(204)
  const another = await post('/me/mfa/totp', {}, asStrong)
  const second = another.json<{ id: string; secret: string }>()
  t.clock.advance(30)
  const secondCode = totpCode(second.secret, t.clock.now())
  await post(`/me/mfa/totp/${second.id}/verify`, { code: secondCode }, asStrong)
  const erinId = (await t.inject({ url: '/me', headers: asStrong })).json<{ id: string }>().id
  const mfaReset = await t.inject({
    method: 'DELETE',
    url: `/admin/users/${erinId}/mfa`,
    headers: asAdmin,
  })
  expect(mfaReset.statusCode).toBe(200)

  const client = await post('/admin/clients', { name: 'reports', scopes: ['data:read'] }, asAdmin)
  expect(client.statusCode).toBe(201)
  const { client_id, client_secret } = client.json<{ client_id: string; client_secret: string }>()
  const grant = { grant_type: 'client_credentials', client_id }
  expect(
    (await t.inject({ method: 'POST', url: '/oauth/token', ...form({ ...grant, client_secret }) }))
      .statusCode,
  ).toBe(200)
  const wrongSecret = `${client_secret.slice(0, -1)}${client_secret.endsWith('A') ? 'B' : 'A'}`
  expect(
    (
      await t.inject({
        method: 'POST',
        url: '/oauth/token',
        ...form({ ...grant, client_secret: wrongSecret }),
      })
    ).statusCode,
  ).toBe(401)
  expect(
    (await t.inject({ method: 'DELETE', url: `/admin/clients/${client_id}`, headers: asAdmin }))
      .statusCode,
  ).toBe(204)

  // An app: consent, the code exchanged, the code replayed, the consent withdrawn.
  const app = await post(
    '/admin/clients',
    {
      name: 'wiki',
      scopes: ['openid'],
      redirect_uris: ['https://app.example/cb'],
      token_endpoint_auth_method: 'none',
    },
    asAdmin,
  )
  const appId = app.json<{ client_id: string }>().client_id
  const verifier = 'v'.repeat(43)
  const browser = new PageClient(t)
  await browser.signIn('user1', 'password1')
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: appId,
    redirect_uri: 'https://app.example/cb',
    scope: 'openid',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })
  const consent = await browser.get(`/oauth/authorize?${query.toString()}`)
  expect(consent.statusCode).toBe(200)
  const allowed = await browser.post('/oauth/authorize/decision', {
    ...Object.fromEntries(query),
    decision: 'allow',
  })
  const authorizationCode = new URL(String(allowed.headers.location)).searchParams.get('code') ?? ''
  const exchange = () =>
    t.inject({
      method: 'POST',
      url: '/oauth/token',
      ...form({
        grant_type: 'authorization_code',
        client_id: appId,
        code: authorizationCode,
        code_verifier: verifier,
        redirect_uri: 'https://app.example/cb',
      }),
    })
  expect((await exchange()).statusCode).toBe(200)
  expect((await exchange()).statusCode).toBe(400)
  const user1 = bearer((await loginAs(t, 'user1', 'password1')).access_token)
  const withdrawn = await t.inject({ method: 'DELETE', url: `/me/grants/${appId}`, headers: user1 })
  expect(withdrawn.statusCode).toBe(204)

  const created = await post(
    '/admin/users',
    { username: 'frank', password: 'frank has a passphrase' },
    asAdmin,
  )
  expect(created.statusCode).toBe(201)
  const frank = created.json<{ id: string }>().id
  const patched = await t.inject({
    method: 'PATCH',
    url: `/admin/users/${frank}`,
    ...json({ roles: ['auditor'] }, asAdmin),
  })
  expect(patched.statusCode).toBe(200)
  expect(
    (await t.inject({ method: 'DELETE', url: `/admin/users/${frank}`, headers: asAdmin }))
      .statusCode,
  ).toBe(204)
  expect((await post('/admin/keys/rotate', {}, asAdmin)).statusCode).toBe(200)
  const keys = await t.inject({ url: '/admin/keys', headers: asAdmin })
  const retired = keys.json<{ items: { kid: string; status: string }[] }>().items
  const kid = retired.find((key) => key.status === 'retired')?.kid ?? ''
  expect((await post(`/admin/keys/${kid}/revoke`, {}, asAdmin)).statusCode).toBe(200)
}

it('records every kind of security event, with who, from where and when', async () => {
  await runEverySecurityAction()
  const events: AuditEventRecord[] = await t.core.store.audit.list({}, { limit: 500 })
  const seen = new Set(events.map((event) => event.type))
  // mail_failed comes from delivery, not from a request: test/email/delivery.test.ts has it.
  const fromRequests = AUDIT_EVENT_TYPES.filter((type) => type !== 'mail_failed')
  expect(fromRequests.filter((type) => !seen.has(type))).toEqual([])

  const registered = events.find(
    (e) => e.type === 'user_created' && e.details['via'] === 'register',
  )
  expect(registered).toMatchObject({ ip: '127.0.0.1', userAgent: 'lightMyRequest' })
  expect(events.find((e) => e.type === 'client_auth_failure')?.details).toMatchObject({
    reason: 'wrong_secret',
  })
  expect(events.find((e) => e.type === 'password_change_failure')?.details).toEqual({
    reason: 'incorrect_password',
  })
  // Demo users created at start-up are on record too, without a request.
  expect(
    events.filter((e) => e.type === 'user_created' && e.details['via'] === 'demo'),
  ).toHaveLength(3)
  // Nothing secret is in the log: no password, token or client secret in any detail.
  const logged = JSON.stringify(events)
  for (const secret of ['passphrase', 'gthr_', 'gthk_', 'gthc_', 'gtha_', 'eyJ']) {
    expect(logged).not.toContain(secret)
  }
})

it('keeps events for the configured retention, deleting older ones at upkeep', async () => {
  const kept = await buildTestApp({ demo: true, auditRetentionDays: 30 })
  try {
    await loginAs(kept, 'user1', 'password1')
    kept.clock.advance(20 * 86_400)
    await loginAs(kept, 'user2', 'password2')
    kept.clock.advance(15 * 86_400)
    await runMaintenance(kept.core.auth)
    const left = await kept.core.store.audit.list({}, { limit: 100 })
    // The demo users' creation and user1's login are 35 days old; user2's login is 15.
    expect(left.map((e) => e.type)).toEqual(['login_success'])
    expect(left[0]?.at).toBe(kept.clock.now() - 15 * 86_400_000)
  } finally {
    await kept.close()
  }
})
