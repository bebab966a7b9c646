import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  deliverAllDueMail,
  deliverDueMail,
  MAX_MAIL_ATTEMPTS,
  newMailRecord,
  retryDelayMs,
} from '../../src/capabilities/email/auth/mail.js'
import { bearer, buildTestApp, json, loginAs, type TestApp } from '../helpers/build-test-app.js'
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.js'

let t: TestApp | undefined
let smtp: TestSmtp | undefined
afterEach(async () => {
  await t?.close()
  await smtp?.stop()
  t = smtp = undefined
})

const password = 'the first passphrase'

/** A user with a verified address, and a fresh token of theirs. */
async function userWithVerifiedEmail(app: TestApp, email = 'Kim@Example.com') {
  // Registered without an address (that would mail a link), then vouched for.
  await app.inject({ method: 'POST', url: '/register', ...json({ username: 'kim', password }) })
  const user = (await app.core.store.users.findByUsernameKey('kim'))!
  await app.core.store.users.setEmail(
    user.id,
    { email, emailKey: email.toLowerCase(), verifiedAt: 1 },
    1,
  )
  return (await loginAs(app, 'kim', password)).access_token
}

const changePassword = (app: TestApp, token: string, next = 'the second passphrase') =>
  app.inject({
    method: 'POST',
    url: '/me/password',
    ...json({ current_password: password, new_password: next }, bearer(token)),
  })

describe('mail over a real SMTP server', () => {
  it('tells the verified address of a password change, in text and escaped HTML, with a link to the account', async () => {
    smtp = await startTestSmtp()
    t = await buildTestApp({
      demo: true,
      smtpUrl: smtp.url,
      uiName: 'Acme <ID>',
      mailFrom: 'Acme <no-reply@acme.example>',
    })
    await t.app.ready()
    const token = await userWithVerifiedEmail(t)
    expect((await changePassword(t, token)).statusCode).toBe(200)
    // Delivered by the instance's own delivery loop, not by the test.
    const [mail] = await smtp.waitFor(1)
    expect(mail!.subject).toBe('Your Acme <ID> password was changed')
    expect(mail!.from?.value).toEqual([{ name: 'Acme', address: 'no-reply@acme.example' }])
    // The address as the user gave it (mail software lower-cases the domain on the way).
    expect(mail!.to && 'text' in mail!.to ? mail!.to.text : '').toMatch(/^Kim@example\.com$/i)
    expect(mail!.text).toContain('Hello kim,')
    expect(mail!.text).toContain('http://127.0.0.1:8080/ui/account')
    expect(mail!.html).toContain('Acme &lt;ID>')
    expect(mail!.html).not.toContain('Acme <ID>')
    const [record] = await t.core.store.mail.list({}, { limit: 5 })
    expect(record).toMatchObject({ status: 'sent', attempts: 1 })
  })

  it('sends mail a request queued at once, without waiting for the delivery poll', async () => {
    smtp = await startTestSmtp()
    // The poll's interval never fires: only the instance's wake-up can deliver.
    vi.useFakeTimers({ toFake: ['setInterval'] })
    try {
      t = await buildTestApp({ demo: true, smtpUrl: smtp.url })
      await t.app.ready()
      const token = await userWithVerifiedEmail(t)
      expect((await changePassword(t, token)).statusCode).toBe(200)
      const [mail] = await smtp.waitFor(1, 5_000)
      expect(mail!.subject).toBe('Your Gatehouse password was changed')
    } finally {
      vi.useRealTimers()
    }
  })

  it('sends nothing to an unverified address, or to a user without one', async () => {
    smtp = await startTestSmtp()
    t = await buildTestApp({ demo: true, smtpUrl: smtp.url })
    await t.inject({
      method: 'POST',
      url: '/register',
      ...json({ username: 'lee', password, email: 'lee@example.com' }),
    })
    const lee = (await loginAs(t, 'lee', password)).access_token
    expect((await changePassword(t, lee)).statusCode).toBe(200)
    const user1 = (await loginAs(t, 'user1', 'password1')).access_token
    await t.inject({
      method: 'POST',
      url: '/me/password',
      ...json({ current_password: 'password1', new_password: 'a much longer one' }, bearer(user1)),
    })
    // Only lee's link to verify the address went out; no notice to either.
    const subjects = (await t.core.store.mail.list({}, { limit: 5 })).map((m) => m.subject)
    expect(subjects).toEqual(['Confirm your email address for Gatehouse'])
  })

  it('loses nothing while the SMTP server is down: the request does not wait, the message arrives once it is back', async () => {
    smtp = await startTestSmtp()
    t = await buildTestApp({ demo: true, smtpUrl: smtp.url })
    const token = await userWithVerifiedEmail(t)
    await smtp.stop()
    expect((await changePassword(t, token)).statusCode).toBe(200)
    const transport = t.core.mailTransport!
    // The instance tries at once (it does not wait for its next poll), and fails.
    let pending = (await t.core.store.mail.list({}, { limit: 1 }))[0]
    for (let waited = 0; pending?.attempts !== 1 && waited < 5_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      pending = (await t.core.store.mail.list({}, { limit: 1 }))[0]
    }
    expect(pending).toMatchObject({ status: 'pending', attempts: 1 })
    expect(await deliverDueMail(t.core.auth, transport)).toBe(0)
    expect(pending!.lastError).toMatch(/ECONNREFUSED/)
    // Not before its backoff is over …
    await smtp.start()
    expect(await deliverDueMail(t.core.auth, transport)).toBe(0)
    // … then exactly once, however often delivery runs (the instance's own loop runs too).
    t.clock.advance(retryDelayMs(1) / 1000)
    await Promise.all([1, 2, 3].map(() => deliverDueMail(t!.core.auth, transport)))
    await smtp.waitFor(1)
    await deliverDueMail(t.core.auth, transport)
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(smtp.received).toHaveLength(1)
    expect((await t.core.store.mail.list({}, { limit: 5 })).map((m) => m.status)).toEqual(['sent'])
  })

  it('sends a burst in one go: a pass takes a batch, delivery goes on until the queue is empty', async () => {
    smtp = await startTestSmtp()
    // Not started: the instance's own loop stays out of the way of the counts below.
    t = await buildTestApp({ demo: true, smtpUrl: smtp.url })
    const now = t.clock.now()
    for (let i = 0; i < 65; i++) {
      const message = {
        to: `reader${i}@example.com`,
        subject: `Message ${i}`,
        text: 'Hello',
        html: '<p>Hello</p>',
      }
      await t.core.store.mail.enqueue(newMailRecord(message, 'pending', now))
    }
    const transport = t.core.mailTransport!
    expect(await deliverDueMail(t.core.auth, transport)).toBe(20)
    expect(await deliverAllDueMail(t.core.auth, transport)).toBe(45)
    await smtp.waitFor(65)
    expect(new Set(smtp.received.map((mail) => mail.subject)).size).toBe(65)
    const statuses = (await t.core.store.mail.list({}, { limit: 100 })).map((m) => m.status)
    expect(statuses).toEqual(Array(65).fill('sent'))
  })

  it('retries a refusing server with growing waits, then gives up, audits it and counts it', async () => {
    smtp = await startTestSmtp()
    t = await buildTestApp({ demo: true, smtpUrl: smtp.url, metrics: true })
    const token = await userWithVerifiedEmail(t)
    smtp.failing = true
    await changePassword(t, token)
    const transport = t.core.mailTransport!
    // Each pass finds the message due (the instance's own loop may take a turn as well).
    for (let pass = 0; pass < 3 * MAX_MAIL_ATTEMPTS; pass++) {
      await deliverDueMail(t.core.auth, transport)
      const [state] = await t.core.store.mail.list({}, { limit: 1 })
      if (state?.status === 'failed') break
      t.clock.advance(retryDelayMs(MAX_MAIL_ATTEMPTS) / 1000)
    }
    const [record] = await t.core.store.mail.list({}, { limit: 1 })
    expect(record).toMatchObject({ status: 'failed', attempts: MAX_MAIL_ATTEMPTS })
    expect(record!.lastError).toMatch(/451/)
    const audit = await t.core.store.audit.list({ type: 'mail_failed' }, { limit: 1 })
    expect(audit[0]?.details).toMatchObject({ mail_id: record!.id, attempts: MAX_MAIL_ATTEMPTS })
    expect(JSON.stringify(audit[0]?.details)).not.toContain('@')
    const metrics = (await t.inject({ url: '/metrics' })).body
    expect(metrics).toContain(
      `gatehouse_mail_attempts_total{outcome="retry"} ${MAX_MAIL_ATTEMPTS - 1}`,
    )
    expect(metrics).toContain('gatehouse_mail_attempts_total{outcome="failed"} 1')
    expect(retryDelayMs(1)).toBe(30_000)
    expect(retryDelayMs(30)).toBe(4 * 3600_000)
  })

  it('keeps mail in the outbox without an SMTP server', async () => {
    t = await buildTestApp({ demo: true })
    const token = await userWithVerifiedEmail(t)
    await changePassword(t, token)
    expect(t.core.mailTransport).toBeNull()
    const [kept] = await t.core.store.mail.list({ status: 'outbox' }, { limit: 5 })
    expect(kept).toMatchObject({
      to: 'Kim@Example.com',
      subject: 'Your Gatehouse password was changed',
    })
  })
})
