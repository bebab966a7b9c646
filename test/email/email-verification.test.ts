import { afterEach, describe, expect, it } from 'vitest'
import type { TestApp } from '../helpers/build-test-app.js'
import { linkOf, nextMailTo, startMailFlow, type MailFlow } from '../helpers/mail-flow.js'
import { PageClient, textOf } from '../helpers/page-client.js'
import type { TestSmtp } from '../helpers/smtp.js'

let flow: MailFlow | undefined
let t: TestApp | undefined
let smtp: TestSmtp | undefined
let base = ''
afterEach(async () => {
  await flow?.close()
  flow = t = smtp = undefined
})

async function start(settings: Record<string, unknown> = {}) {
  flow = await startMailFlow(settings)
  ;({ t, smtp, base } = flow)
}

const call = (path: string, body?: unknown, token?: string) => flow!.call(path, body, token)

const password = 'a perfectly fine passphrase'
const signUp = async (username = 'nina', email = 'nina@example.com') => {
  expect((await call('/register', { username, password, email })).status).toBe(201)
  return (await call('/login', { username, password })).body['access_token'] as string
}

describe('verifying an address, with real mail', () => {
  it('mails a link at registration; opening it spends nothing, POST spends it once', async () => {
    await start()
    const token = await signUp()
    const [mail] = await smtp!.waitFor(1)
    expect(mail!.subject).toBe('Confirm your email address for Gatehouse')
    const { link, token: emailToken } = linkOf(mail!)
    expect(link.startsWith(`${base}/ui/verify-email?token=gthm_`)).toBe(true)

    // A mail scanner (or the person) opens the link: a page with a button, nothing spent.
    const opened = await fetch(link)
    expect(opened.status).toBe(200)
    expect(await opened.text()).toContain('Confirm my address')
    expect((await call('/me', undefined, token)).body).toMatchObject({ email_verified: false })

    expect((await call('/email/verify', { token: emailToken })).body).toEqual({
      msg: 'Email address verified',
    })
    expect((await call('/me', undefined, token)).body).toMatchObject({ email_verified: true })
    const again = await call('/email/verify', { token: emailToken })
    expect(again.status).toBe(400)
    expect(again.body).toEqual({
      msg: 'This link is invalid, expired or already used',
      error: 'invalid_email_token',
    })
    // Verified: no further link to ask for.
    expect((await call('/me/email/verification', {}, token)).status).toBe(400)
  })

  it('spends a token once under concurrent tries', async () => {
    await start()
    await signUp()
    const { token } = linkOf((await smtp!.waitFor(1))[0]!)
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => call('/email/verify', { token })),
    )
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1)
    expect(answers.filter((a) => a.status === 400)).toHaveLength(7)
  })

  it('a new link supersedes the old one; an expired link and one spoiled by a password change fail', async () => {
    await start({ emailVerifyTtl: 600 })
    const access = await signUp()
    const first = linkOf((await smtp!.waitFor(1))[0]!)
    expect((await call('/me/email/verification', {}, access)).status).toBe(202)
    const second = linkOf((await smtp!.waitFor(2))[1]!)
    expect((await call('/email/verify', { token: first.token })).body).toMatchObject({
      error: 'invalid_email_token',
    })

    t!.clock.advance(601)
    expect((await call('/email/verify', { token: second.token })).body).toMatchObject({
      error: 'invalid_email_token',
    })

    const fresh = (await call('/login', { username: 'nina', password })).body[
      'access_token'
    ] as string
    expect((await call('/me/email/verification', {}, fresh)).status).toBe(202)
    const third = linkOf((await smtp!.waitFor(3))[2]!)
    await call(
      '/me/password',
      { current_password: password, new_password: 'another fine passphrase' },
      fresh,
    )
    expect((await call('/email/verify', { token: third.token })).body).toMatchObject({
      error: 'invalid_email_token',
    })
    for (const token of ['', 'gthm_short', 'x'.repeat(200)]) {
      expect((await call('/email/verify', { token })).status).toBe(400)
    }
  })

  it('a link proves only the address it went to', async () => {
    await start()
    const access = await signUp()
    const { token } = linkOf((await smtp!.waitFor(1))[0]!)
    const admin = (await call('/login', { username: 'admin', password: 'adminpass' })).body[
      'access_token'
    ] as string
    const me = (await call('/me', undefined, access)).body
    const res = await fetch(`${base}/admin/users/${String(me['id'])}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'someone-else@example.com' }),
    })
    expect(res.status).toBe(200)
    expect((await call('/email/verify', { token })).body).toMatchObject({
      error: 'invalid_email_token',
    })
    expect((await call('/me', undefined, access)).body).toMatchObject({ email_verified: false })
  })

  it('an unverified claim reserves nothing: the owner signs up with the address, proves it, and the squatter loses it', async () => {
    await start()
    // Mallory types Olga's address first; the link for mallory's account goes to Olga.
    const squatter = await signUp('mallory', 'olga@example.com')
    const squattersLink = linkOf(await nextMailTo(smtp!, 'olga@example.com', 1))
    expect(squattersLink.link).toBeTruthy()
    // The mail names the account, so Olga can tell it is not hers.
    expect((await nextMailTo(smtp!, 'olga@example.com', 1)).text).toContain('named "mallory"')
    // Olga's own sign-up is answered as for any free address, and gets its own link.
    const olga = await signUp('olga', 'OLGA@example.com')
    const olgasLink = linkOf(await nextMailTo(smtp!, 'olga@example.com', 2))
    expect((await call('/email/verify', { token: olgasLink.token })).status).toBe(200)
    expect((await call('/me', undefined, olga)).body).toMatchObject({
      email: 'OLGA@example.com',
      email_verified: true,
    })
    // Proven by Olga: mallory's claim is gone, and so is the link that would have proven it.
    expect((await call('/me', undefined, squatter)).body).toMatchObject({
      email: null,
      email_verified: false,
    })
    expect((await call('/email/verify', { token: squattersLink.token })).body).toMatchObject({
      error: 'invalid_email_token',
    })
    // Olga can recover her account by mail (the address is hers alone).
    expect((await call('/password/forgot', { email: 'olga@example.com' })).status).toBe(202)
    await t!.core.auth.background.idle()
    const reset = await nextMailTo(smtp!, 'olga@example.com', 3)
    expect(reset.subject).toBe('Reset your Gatehouse password')
    expect(reset.text).toContain('olga')

    // Now taken (verified): a new sign-up with it is answered as a free one, gets no link,
    // and Olga hears that someone tried.
    const free = await call('/register', { username: 'pat', password, email: 'pat@example.com' })
    const again = await call('/register', {
      username: 'quinn',
      password,
      email: 'olga@example.com',
    })
    expect(again.status).toBe(free.status)
    expect(again.body).toEqual(free.body)
    const notice = await nextMailTo(smtp!, 'olga@example.com', 4)
    expect(notice.subject).toBe('Someone tried to use your address at Gatehouse')
    const queued = await t!.core.store.mail.list({}, { limit: 100 })
    expect(queued.filter((m) => m.to.toLowerCase() === 'olga@example.com')).toHaveLength(4)
  })

  it('works on the pages: the link shows a button, the button verifies, a spent link says so', async () => {
    await start()
    const browser = new PageClient(t!)
    await browser.get('/ui/sign-up')
    await browser.post('/ui/sign-up', { username: 'omar', password, email: 'omar@example.com' })
    const { link } = linkOf((await smtp!.waitFor(1))[0]!)
    const path = link.slice(base.length)
    const page = await browser.get(path)
    expect(page.statusCode).toBe(200)
    const token = new URL(link).searchParams.get('token')!
    const done = await browser.post('/ui/verify-email', { token })
    expect(done.statusCode).toBe(200)
    expect(textOf(done.body)).toContain('Your email address is confirmed')
    expect(textOf((await browser.get('/ui/account')).body)).toContain('omar@example.com verified')
    await browser.get(path)
    const spent = await browser.post('/ui/verify-email', { token })
    expect(spent.statusCode).toBe(400)
    expect(textOf(spent.body)).toContain('This link is invalid, expired or already used')
    expect((await browser.get('/ui/verify-email')).statusCode).toBe(400)
  })
})

describe('GATEHOUSE_EMAIL_VERIFICATION', () => {
  it('required: an address is needed to register, and signing in waits for the link', async () => {
    await start({ emailVerification: 'required' })
    const noAddress = await call('/register', { username: 'pia', password })
    expect(noAddress.status).toBe(400)
    expect(noAddress.body).toMatchObject({ error: 'invalid_email' })
    expect(
      (await call('/register', { username: 'pia', password, email: 'pia@example.com' })).status,
    ).toBe(201)
    const refused = await call('/login', { username: 'pia', password })
    expect(refused.status).toBe(403)
    expect(refused.body).toEqual({
      msg: 'Confirm your email address first: follow the link in the mail we sent',
      error: 'email_not_verified',
    })
    // A wrong password still says only that.
    expect((await call('/login', { username: 'pia', password: 'not the right one' })).status).toBe(
      401,
    )
    const { token } = linkOf((await smtp!.waitFor(1))[0]!)
    expect((await call('/email/verify', { token })).status).toBe(200)
    expect((await call('/login', { username: 'pia', password })).status).toBe(200)
    // Users made by the operator without an address (the demo users) are trusted.
    expect((await call('/login', { username: 'user1', password: 'password1' })).status).toBe(200)
  })

  it('off: no link at registration, none on request', async () => {
    await start({ emailVerification: 'off' })
    const access = await signUp()
    expect((await call('/me/email/verification', {}, access)).status).toBe(400)
    expect(await t!.core.store.mail.list({}, { limit: 5 })).toEqual([])
  })
})
