import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer, buildTestApp, json, loginAs, type TestApp } from '../helpers/build-test-app.js'

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp({ demo: true })
})
afterEach(() => t.close())

const register = (body: Record<string, unknown>) =>
  t.inject({ method: 'POST', url: '/register', ...json(body) })
const password = 'a perfectly fine passphrase'

describe('users’ email addresses', () => {
  it('register takes an optional address; /me shows it, unverified', async () => {
    expect(
      (await register({ username: 'alice', password, email: ' Alice@Example.COM ' })).statusCode,
    ).toBe(201)
    const { access_token } = await loginAs(t, 'alice', password)
    const me = await t.inject({ url: '/me', headers: bearer(access_token) })
    expect(me.json()).toMatchObject({
      username: 'alice',
      email: 'Alice@Example.COM',
      email_verified: false,
    })
    const { access_token: other } = await loginAs(t, 'user1', 'password1')
    expect((await t.inject({ url: '/me', headers: bearer(other) })).json()).toMatchObject({
      email: null,
      email_verified: false,
    })
  })

  it('answers an address claimed or held by someone else exactly like a free one; a taken username is still said', async () => {
    const first = await register({ username: 'alice', password, email: 'alice@example.com' })
    const again = await register({ username: 'bob', password, email: 'ALICE@example.com' })
    const free = await register({ username: 'carol', password, email: 'carol@example.com' })
    for (const res of [first, again]) {
      expect(res.statusCode).toBe(free.statusCode)
      expect(res.body).toBe(free.body)
      expect(res.headers['content-length']).toBe(free.headers['content-length'])
    }
    // Both hold it unverified: an unverified address reserves nothing.
    const { access_token } = await loginAs(t, 'bob', password)
    expect((await t.inject({ url: '/me', headers: bearer(access_token) })).json()).toMatchObject({
      email: 'ALICE@example.com',
      email_verified: false,
    })
    // A taken username is reported, whatever the address (the seed's contract).
    expect(
      (await register({ username: 'alice', password, email: 'new@example.com' })).json(),
    ).toMatchObject({
      error: 'username_taken',
    })
  })

  it('refuses malformed addresses with invalid_email', async () => {
    for (const email of [
      '',
      'no-at-sign',
      'two@@example.com',
      'a b@example.com',
      `${'x'.repeat(250)}@example.com`,
    ]) {
      const res = await register({ username: 'carol', password, email })
      expect(res.statusCode, email).toBe(400)
      expect(res.json(), email).toEqual({ msg: 'Invalid email address', error: 'invalid_email' })
    }
    expect((await register({ username: 'carol', password, email: 42 })).json()).toMatchObject({
      error: 'invalid_request',
    })
  })

  it('the admin API sets, vouches for and removes addresses (fresh token), and shows them', async () => {
    const { access_token: admin } = await loginAs(t, 'admin', 'adminpass')
    const created = await t.inject({
      method: 'POST',
      url: '/admin/users',
      ...json(
        { username: 'dave', password, email: 'dave@example.com', email_verified: true },
        bearer(admin),
      ),
    })
    expect(created.statusCode, created.body).toBe(201)
    expect(created.json()).toMatchObject({ email: 'dave@example.com', email_verified: true })
    const id = created.json<{ id: string }>().id
    const patch = (body: unknown, token = admin) =>
      t.inject({ method: 'PATCH', url: `/admin/users/${id}`, ...json(body, bearer(token)) })

    expect((await patch({ email: 'Dave@Example.com' })).json()).toMatchObject({
      email: 'Dave@Example.com',
      email_verified: true,
    })
    expect((await patch({ email: 'dave@elsewhere.example' })).json()).toMatchObject({
      email_verified: false,
    })
    expect((await patch({ email_verified: true })).json()).toMatchObject({ email_verified: true })
    expect((await patch({ email: 'user@x.example' })).statusCode).toBe(200)
    // Erin only claimed her address: an admin may give it to dave unverified (it reserves
    // nothing), but vouching for it is refused once erin holds it verified.
    await register({ username: 'erin', password, email: 'erin@example.com' })
    expect((await patch({ email: 'ERIN@example.com' })).statusCode).toBe(200)
    const erin = await t.inject({ url: '/admin/users?search=erin', headers: bearer(admin) })
    const erinId = erin
      .json<{ items: { id: string; username: string }[] }>()
      .items.find((u) => u.username === 'erin')!.id
    const vouched = await t.inject({
      method: 'PATCH',
      url: `/admin/users/${erinId}`,
      ...json({ email_verified: true }, bearer(admin)),
    })
    expect(vouched.statusCode, vouched.body).toBe(200)
    // Vouching for erin took the address from dave, who only claimed it.
    const dave = await t.inject({ url: `/admin/users/${id}`, headers: bearer(admin) })
    expect(dave.json()).toMatchObject({ email: null, email_verified: false })
    expect((await patch({ email: 'ERIN@example.com', email_verified: true })).json()).toMatchObject(
      {
        error: 'email_taken',
      },
    )
    expect((await patch({ email: null })).json()).toMatchObject({
      email: null,
      email_verified: false,
    })
    expect((await patch({ email_verified: true })).statusCode).toBe(400)

    // Whoever sets the address can reset the password: a refreshed admin token is not enough.
    const refreshed = await t.inject({
      method: 'POST',
      url: '/refresh',
      ...json({ refresh_token: (await loginAs(t, 'admin', 'adminpass')).refresh_token }),
    })
    const stale = refreshed.json<{ access_token: string }>().access_token
    expect((await patch({ email: 'dave@example.com' }, stale)).json()).toMatchObject({
      error: 'fresh_token_required',
    })
    const audit = await t.core.store.audit.list({ type: 'user_updated', userId: id }, { limit: 1 })
    expect(audit[0]?.details).toMatchObject({ email: null, email_verified: false })
  })
})
