import { afterEach, describe, expect, it } from 'vitest'
import { linkOf, mailTo, nextMailTo, startMailFlow, type MailFlow } from '../helpers/mail-flow.js'
import { PageClient, textOf } from '../helpers/page-client.js'

let flow: MailFlow | undefined
afterEach(async () => {
  await flow?.close()
  flow = undefined
})

const password = 'a perfectly fine passphrase'

/** Tomas, with tomas@old.example verified, signed in with a password (a fresh token). */
async function tomas(f: MailFlow) {
  const body = { username: 'tomas', password, email: 'tomas@old.example' }
  expect((await f.call('/register', body)).status).toBe(201)
  const { token } = linkOf(await nextMailTo(f.smtp, 'tomas@old.example', 1))
  expect((await f.call('/email/verify', { token })).status).toBe(200)
  return f.login('tomas', password)
}

describe('changing an address, with real mail', () => {
  it('replaces the old address only when the new one is proven, and tells the old one twice', async () => {
    flow = await startMailFlow()
    const access = await tomas(flow)
    const asked = await flow.call('/me/email', { email: 'Tomas@New.example' }, access)
    expect(asked.status).toBe(202)
    expect(asked.body).toEqual({ msg: 'Confirmation link sent to the new address' })

    const confirm = await nextMailTo(flow.smtp, 'tomas@new.example', 1)
    expect(confirm.subject).toBe('Confirm your new email address for Gatehouse')
    const warned = await nextMailTo(flow.smtp, 'tomas@old.example', 2)
    expect(warned.subject).toBe('A new email address was requested for your Gatehouse account')
    expect(warned.text).toContain('Tomas@New.example')

    // Until the link is used, nothing changes; opening it changes nothing either.
    const { link, token } = linkOf(confirm)
    expect((await fetch(link)).status).toBe(200)
    expect((await flow.call('/me', undefined, access)).body).toMatchObject({
      email: 'tomas@old.example',
      email_verified: true,
    })
    expect((await flow.call('/email/verify', { token })).status).toBe(200)
    expect((await flow.call('/me', undefined, access)).body).toMatchObject({
      email: 'Tomas@New.example',
      email_verified: true,
    })
    const told = await nextMailTo(flow.smtp, 'tomas@old.example', 3)
    expect(told.subject).toBe('The email address of your Gatehouse account was changed')
    expect((await flow.call('/email/verify', { token })).body).toMatchObject({
      error: 'invalid_email_token',
    })

    // A reset now goes to the new address only.
    await flow.call('/password/forgot', { email: 'tomas@old.example' })
    await flow.call('/password/forgot', { email: 'tomas@new.example' })
    await flow.t.core.auth.background.idle()
    const reset = await nextMailTo(flow.smtp, 'tomas@new.example', 2)
    expect(reset.subject).toBe('Reset your Gatehouse password')
    expect(mailTo(flow.smtp, 'tomas@old.example')).toHaveLength(3)
    const types = (await flow.t.core.store.audit.list({}, { limit: 50 })).map((e) => e.type)
    expect(types).toEqual(expect.arrayContaining(['email_change_requested', 'email_changed']))
  })

  it('needs a fresh token and a well-formed address, and refuses the signed-out', async () => {
    flow = await startMailFlow()
    const access = await tomas(flow)
    const login = await flow.call('/login', { username: 'tomas', password })
    const refreshed = await flow.call('/refresh', { refresh_token: login.body['refresh_token'] })
    const stale = refreshed.body['access_token'] as string
    const refused = await flow.call('/me/email', { email: 'tomas@new.example' }, stale)
    expect(refused.status).toBe(401)
    expect(refused.body).toMatchObject({ error: 'fresh_token_required' })

    const same = await flow.call('/me/email', { email: 'tomas@old.example' }, access)
    expect(same.status).toBe(400)
    for (const email of ['nope', '', 'a@b'.padEnd(300, 'c')]) {
      expect((await flow.call('/me/email', { email }, access)).body).toMatchObject({
        error: 'invalid_email',
      })
    }
    expect((await flow.call('/me/email', { email: 'x@y.example' })).status).toBe(401)
  })

  it('a link for an address proven by someone else meanwhile, or superseded, changes nothing', async () => {
    flow = await startMailFlow()
    const access = await tomas(flow)
    await flow.call('/me/email', { email: 'first@new.example' }, access)
    const first = linkOf(await nextMailTo(flow.smtp, 'first@new.example', 1)).token
    await flow.call('/me/email', { email: 'second@new.example' }, access)
    const second = linkOf(await nextMailTo(flow.smtp, 'second@new.example', 1)).token
    expect((await flow.call('/email/verify', { token: first })).body).toMatchObject({
      error: 'invalid_email_token',
    })
    // Someone else registers the address and proves it before Tomas uses the link.
    await flow.call('/register', { username: 'wim', password, email: 'second@new.example' })
    const wims = linkOf(await nextMailTo(flow.smtp, 'second@new.example', 2)).token
    expect((await flow.call('/email/verify', { token: wims })).status).toBe(200)
    expect((await flow.call('/email/verify', { token: second })).body).toMatchObject({
      error: 'email_taken',
    })
    expect((await flow.call('/me', undefined, access)).body).toMatchObject({
      email: 'tomas@old.example',
    })
  })

  it('an address someone else holds verified is answered like a free one; its owner is told, nothing is sent to claim it', async () => {
    flow = await startMailFlow()
    const access = await tomas(flow)
    await flow.call('/register', { username: 'vera', password, email: 'vera@example.com' })
    const { token } = linkOf(await nextMailTo(flow.smtp, 'vera@example.com', 1))
    expect((await flow.call('/email/verify', { token })).status).toBe(200)

    const free = await flow.call('/me/email', { email: 'free@example.com' }, access)
    const taken = await flow.call('/me/email', { email: 'VERA@example.com' }, access)
    expect(taken.status).toBe(free.status)
    expect(taken.body).toEqual(free.body)
    expect(taken.headers.get('content-length')).toBe(free.headers.get('content-length'))
    const notice = await nextMailTo(flow.smtp, 'vera@example.com', 2)
    expect(notice.subject).toBe('Someone tried to use your address at Gatehouse')
    expect(notice.text).toContain('no link to claim it was sent')
    // Every message ever queued for vera (delivered or not): no link among them.
    const queued = await flow.t.core.store.mail.list({}, { limit: 100 })
    expect(
      queued
        .filter((m) => m.to.toLowerCase() === 'vera@example.com')
        .map((m) => m.subject)
        .reverse(),
    ).toEqual([
      'Confirm your email address for Gatehouse',
      'Someone tried to use your address at Gatehouse',
    ])
    expect((await flow.call('/me', undefined, access)).body).toMatchObject({
      email: 'tomas@old.example',
    })
  })

  it('off: the address changes at once, and the old one is told', async () => {
    flow = await startMailFlow({ emailVerification: 'off' })
    const admin = await flow.login('admin', 'adminpass')
    const created = await fetch(`${flow.base}/admin/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'tomas',
        password,
        email: 'tomas@old.example',
        email_verified: true,
      }),
    })
    expect(created.status).toBe(201)
    const access = await flow.login('tomas', password)
    const changed = await flow.call('/me/email', { email: 'tomas@new.example' }, access)
    expect(changed.status).toBe(200)
    expect(changed.body).toEqual({ msg: 'Email address changed' })
    expect((await flow.call('/me', undefined, access)).body).toMatchObject({
      email: 'tomas@new.example',
      email_verified: false,
    })
    const told = await nextMailTo(flow.smtp, 'tomas@old.example', 1)
    expect(told.subject).toBe('The email address of your Gatehouse account was changed')
  })

  it('an admin moving or removing the address tells the old verified one', async () => {
    flow = await startMailFlow()
    const access = await tomas(flow)
    const id = String((await flow.call('/me', undefined, access)).body['id'])
    const admin = await flow.login('admin', 'adminpass')
    const patch = (email: string | null) =>
      fetch(`${flow!.base}/admin/users/${id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email, email_verified: email !== null }),
      })
    expect((await patch('tomas@moved.example')).status).toBe(200)
    const told = await nextMailTo(flow.smtp, 'tomas@old.example', 2)
    expect(told.subject).toBe('The email address of your Gatehouse account was changed')
    expect(told.text).toContain('was changed to tomas@moved.example')
    expect((await patch(null)).status).toBe(200)
    const removed = await nextMailTo(flow.smtp, 'tomas@moved.example', 1)
    expect(removed.text).toContain('was removed')
  })

  it('works on the account page: the form asks, the page shows what waits, the link completes it', async () => {
    flow = await startMailFlow()
    await tomas(flow)
    const browser = new PageClient(flow.t)
    await browser.get('/ui/sign-in')
    await browser.post('/ui/sign-in', { username: 'tomas', password })
    await browser.get('/ui/account')
    const bad = await browser.post('/ui/account/email', { email: 'not-an-address' })
    expect(bad.statusCode).toBe(400)
    expect(textOf(bad.body)).toContain('New email address')
    const asked = await browser.post('/ui/account/email', { email: 'tomas@new.example' })
    expect(asked.statusCode).toBe(303)
    const page = textOf((await browser.get(asked.headers['location'] as string)).body)
    expect(page).toContain('A confirmation link is on its way to the new address.')
    expect(page).toContain('Waiting for you to use the link sent to tomas@new.example.')
    const { token } = linkOf(await nextMailTo(flow.smtp, 'tomas@new.example', 1))
    expect((await browser.post('/ui/verify-email', { token })).statusCode).toBe(200)
    expect(textOf((await browser.get('/ui/account')).body)).toContain('tomas@new.example verified')
  })
})
