import { afterEach, describe, expect, it } from 'vitest'
import { linkOf, mailTo, nextMailTo, startMailFlow, type MailFlow } from '../helpers/mail-flow.js'

let flow: MailFlow | undefined
afterEach(async () => {
  await flow?.close()
  flow = undefined
})

const password = 'a perfectly fine passphrase'
const newPassword = 'an entirely new passphrase'
const FORGOT_ANSWER = {
  msg: 'If the address belongs to an account, a link to reset its password is on its way',
}

/** A user with a verified address (the link from registration spent), and two sessions. */
async function verifiedUser(f: MailFlow, username = 'rosa', email = 'rosa@example.com') {
  expect((await f.call('/register', { username, password, email })).status).toBe(201)
  const { token } = linkOf(await nextMailTo(f.smtp, email, 1))
  expect((await f.call('/email/verify', { token })).status).toBe(200)
  const first = await f.call('/login', { username, password })
  const second = await f.call('/login', { username, password })
  return { first: first.body, second: second.body }
}

/** Every request started so far has done its background work (the lookup and the mail). */
const settled = (f: MailFlow) => f.t.core.auth.background.idle()

describe('forgot password and reset, with real mail', () => {
  it('answers every address alike and mails only a verified one', async () => {
    flow = await startMailFlow()
    await verifiedUser(flow)
    await flow.call('/register', { username: 'ugo', password, email: 'ugo@example.com' })
    await nextMailTo(flow.smtp, 'ugo@example.com', 1)

    const answers = await Promise.all(
      ['rosa@example.com', 'ROSA@Example.com', 'nobody@example.com', 'ugo@example.com'].map(
        (email) => flow!.call('/password/forgot', { email }),
      ),
    )
    for (const answer of answers) {
      expect(answer.status).toBe(202)
      expect(answer.body).toEqual(FORGOT_ANSWER)
      expect(answer.headers.get('content-length')).toBe(answers[0]!.headers.get('content-length'))
    }
    await settled(flow)
    // Two asked for rosa (the second supersedes the first); nobody and unverified ugo: none.
    await nextMailTo(flow.smtp, 'rosa@example.com', 3)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(mailTo(flow.smtp, 'rosa@example.com').map((m) => m.subject)).toEqual([
      'Confirm your email address for Gatehouse',
      'Reset your Gatehouse password',
      'Reset your Gatehouse password',
    ])
    expect(mailTo(flow.smtp, 'nobody@example.com')).toEqual([])
    expect(mailTo(flow.smtp, 'ugo@example.com').map((m) => m.subject)).toEqual([
      'Confirm your email address for Gatehouse',
    ])
    expect(flow.smtp.received).toHaveLength(4)

    const bad = await flow.call('/password/forgot', { email: 'not an address' })
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({ error: 'invalid_email' })
    expect((await flow.call('/password/forgot', {})).status).toBe(400)
  })

  it('resets once from the link: every session ends, every access token is refused, a notice follows', async () => {
    flow = await startMailFlow()
    const { first, second } = await verifiedUser(flow)
    // Whoever knew the old password may have made an API key: the reset ends it too.
    const key = await flow.call('/api-keys', { name: 'ci' }, first['access_token'] as string)
    expect(key.status).toBe(201)
    const apiKey = key.body['key'] as string
    expect((await flow.call('/data', undefined, apiKey)).status).toBe(200)
    await flow.call('/password/forgot', { email: 'rosa@example.com' })
    await settled(flow)
    const mail = (await flow.smtp.waitFor(2))[1]!
    const { link, token } = linkOf(mail, 'reset-password')
    expect(link.startsWith(`${flow.base}/ui/reset-password?token=gthm_`)).toBe(true)
    expect(mail.text).toContain('for 30 minutes')

    // Opening the link (a scanner, or the person) spends nothing.
    const opened = await fetch(link)
    expect(opened.status).toBe(200)
    expect(await opened.text()).toContain('Choose a new password')
    // A refused password costs nothing either: the same link still works.
    const weak = await flow.call('/password/reset', { token, new_password: 'password' })
    expect(weak.status).toBe(400)
    expect(weak.body).toMatchObject({ error: 'weak_password' })

    const done = await flow.call('/password/reset', { token, new_password: newPassword })
    expect(done.status).toBe(200)
    expect(done.body).toEqual({ msg: 'Password changed', sessions_revoked: 2 })

    for (const pair of [first, second]) {
      const access = await flow.call('/protected', undefined, pair['access_token'] as string)
      expect(access.status).toBe(401)
      const refreshed = await flow.call('/refresh', { refresh_token: pair['refresh_token'] })
      expect(refreshed.status).toBe(401)
    }
    expect((await flow.call('/login', { username: 'rosa', password })).status).toBe(401)
    const fresh = await flow.login('rosa', newPassword)
    expect((await flow.call('/protected', undefined, fresh)).status).toBe(200)

    const again = await flow.call('/password/reset', { token, new_password: 'yet another phrase' })
    expect(again.status).toBe(400)
    expect(again.body).toEqual({
      msg: 'This link is invalid, expired or already used',
      error: 'invalid_email_token',
    })
    const [notice] = await flow.smtp.waitFor(3).then((all) => all.slice(2))
    expect(notice!.subject).toBe('Your Gatehouse password was reset')
    expect(notice!.text).toContain('every session was ended')
    expect(notice!.text).toContain('Your API keys (1) were revoked too')
    expect((await flow.call('/data', undefined, apiKey)).status).toBe(401)

    const types = (await flow.t.core.store.audit.list({}, { limit: 50 })).map((e) => e.type)
    expect(types).toEqual(expect.arrayContaining(['password_reset_requested', 'password_reset']))
  })

  it('spends a link once under concurrent tries', async () => {
    flow = await startMailFlow()
    await verifiedUser(flow)
    await flow.call('/password/forgot', { email: 'rosa@example.com' })
    await settled(flow)
    const { token } = linkOf((await flow.smtp.waitFor(2))[1]!, 'reset-password')
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        flow!.call('/password/reset', { token, new_password: `${newPassword} ${i}` }),
      ),
    )
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400, 400, 400, 400])
  })

  it('a link dies when superseded, when it expires, with a password change and with a change of address', async () => {
    flow = await startMailFlow()
    await verifiedUser(flow)
    let sent = 0
    const forgot = async () => {
      await flow!.call('/password/forgot', { email: 'rosa@example.com' })
      await settled(flow!)
      sent += 1
      const resets = () => flow!.smtp.received.filter((m) => m.subject?.startsWith('Reset'))
      while (resets().length < sent) await new Promise((resolve) => setTimeout(resolve, 50))
      return linkOf(resets()[sent - 1]!, 'reset-password').token
    }
    const reset = (token: string) =>
      flow!.call('/password/reset', { token, new_password: newPassword })

    const superseded = await forgot()
    const current = await forgot()
    expect((await reset(superseded)).body).toMatchObject({ error: 'invalid_email_token' })

    flow.t.clock.advance(30 * 60 + 1)
    expect((await reset(current)).body).toMatchObject({ error: 'invalid_email_token' })

    const spoiled = await forgot()
    const access = await flow.login('rosa', password)
    const changed = await flow.call(
      '/me/password',
      { current_password: password, new_password: 'a changed passphrase' },
      access,
    )
    expect(changed.status).toBe(200)
    expect((await reset(spoiled)).body).toMatchObject({ error: 'invalid_email_token' })

    // The link went to the old address; once the address changes, it proves nothing.
    const oldAddress = await forgot()
    const admin = await flow.login('admin', 'adminpass')
    const me = await flow.call('/me', undefined, await flow.login('rosa', 'a changed passphrase'))
    const patched = await fetch(`${flow.base}/admin/users/${String(me.body['id'])}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'rosa@elsewhere.example', email_verified: true }),
    })
    expect(patched.status).toBe(200)
    expect((await reset(oldAddress)).body).toMatchObject({ error: 'invalid_email_token' })

    for (const token of ['', 'gthm_short', 'x'.repeat(200), 'gthm_' + 'A'.repeat(43)]) {
      expect((await reset(token)).status).toBe(400)
    }
  })

  it('limits links per address, known or not, and per IP', async () => {
    flow = await startMailFlow({ emailLimitPerHour: 2, ipLimitPerMinute: 12 })
    for (const email of ['rosa@example.com', 'nobody@example.com']) {
      const statuses = []
      for (let i = 0; i < 3; i++) {
        statuses.push((await flow.call('/password/forgot', { email })).status)
      }
      expect(statuses).toEqual([202, 202, 429])
    }
    const limited = await flow.call('/password/forgot', { email: 'NOBODY@example.com' })
    expect(limited.body).toEqual({
      msg: 'Too many messages to this address; try again later',
      error: 'rate_limited',
    })
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    const statuses = []
    for (let i = 0; i < 8; i++) {
      statuses.push((await flow.call('/password/forgot', { email: `a${i}@example.com` })).status)
    }
    expect(statuses.at(-1)).toBe(429)
    expect(statuses.filter((s) => s === 202).length).toBeLessThan(8)
  })
})

describe('required verification and a lost link', () => {
  it('the right password mails a new link once the old one is gone', async () => {
    flow = await startMailFlow({ emailVerification: 'required' })
    const body = { username: 'pia', password, email: 'pia@example.com' }
    expect((await flow.call('/register', body)).status).toBe(201)
    await flow.smtp.waitFor(1)
    // A link just went out: no second one.
    expect((await flow.call('/login', { username: 'pia', password })).status).toBe(403)
    flow.t.clock.advance(86_400 + 1)
    expect((await flow.call('/login', { username: 'pia', password: 'wrong guess' })).status).toBe(
      401,
    )
    expect((await flow.call('/login', { username: 'pia', password })).status).toBe(403)
    const mails = await flow.smtp.waitFor(2)
    await new Promise((resolve) => setTimeout(resolve, 1200))
    expect(flow.smtp.received).toHaveLength(2)
    const { token } = linkOf(mails[1]!)
    expect((await flow.call('/email/verify', { token })).status).toBe(200)
    expect((await flow.call('/login', { username: 'pia', password })).status).toBe(200)
  })
})
