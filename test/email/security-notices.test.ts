/**
 * The notices a verified address gets when the sign-in protection of its account changes.
 * The second-factor use cases only record what happened; the email capability reacts to the
 * events, so each notice must still be queued, with the factor's name, before the answer.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { bearer, buildTestApp, json, loginAs, type TestApp } from '../helpers/build-test-app.js'
import { totpCode } from '../helpers/totp.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

const post = (app: TestApp, url: string, body: unknown, token: string) =>
  app.inject({ method: 'POST', url, ...json(body, bearer(token)) })

/** The notices queued so far (no SMTP server: they wait in the outbox), oldest first. */
async function notices(app: TestApp): Promise<string[]> {
  const mail = await app.core.store.mail.list({}, { limit: 50 })
  return mail
    .filter((m) => m.subject === 'The sign-in protection of your Gatehouse account changed')
    .map((m) => /on \S+ \S+ (?:UTC )?(.*?)\. If that was you/s.exec(m.text)?.[1] ?? m.text)
    .reverse()
}

/** Adds an authenticator app through the JSON API; answers its id and secret. */
async function addAuthenticator(app: TestApp, name: string, token: string) {
  const started = await post(app, '/me/mfa/totp', { name }, token)
  const { id, secret } = started.json<{ id: string; secret: string }>()
  const code = totpCode(secret, app.clock.now())
  const verified = await post(app, `/me/mfa/totp/${id}/verify`, { code }, token)
  expect(verified.statusCode, verified.body).toBe(200)
  return { id, secret }
}

describe('second-factor notices', () => {
  it('tells the verified address of each change, as it happens, and nothing to an unverified one', async () => {
    t = await buildTestApp({ demo: true })
    const user1 = (await t.core.store.users.findByUsernameKey('user1'))!
    await t.core.store.users.setEmail(
      user1.id,
      { email: 'one@example.com', emailKey: 'one@example.com', verifiedAt: 1 },
      1,
    )
    let access = (await loginAs(t, 'user1', 'password1')).access_token
    const { id, secret } = await addAuthenticator(t, 'Phone', access)
    expect(await notices(t)).toEqual([
      'an authenticator app ("Phone") was added as a second factor',
    ])

    // Changing factors needs a login that passed the second factor.
    t.clock.advance(30)
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
    access = done.json<{ access_token: string }>().access_token
    expect((await post(t, '/me/mfa/recovery-codes', {}, access)).statusCode).toBe(200)
    const removed = await t.inject({
      method: 'DELETE',
      url: `/me/mfa/${id}`,
      headers: bearer(access),
    })
    expect(removed.statusCode, removed.body).toBe(204)
    expect(await notices(t)).toEqual([
      'an authenticator app ("Phone") was added as a second factor',
      'new recovery codes were made (the old ones no longer work)',
      'the second factor "Phone" was removed',
    ])

    // An admin's reset is told too, but only when there was something to remove.
    await addAuthenticator(t, 'Tablet', access)
    const admin = (await loginAs(t, 'admin', 'adminpass')).access_token
    const reset = () =>
      t!.inject({ method: 'DELETE', url: `/admin/users/${user1.id}/mfa`, headers: bearer(admin) })
    expect((await reset()).statusCode).toBeLessThan(300)
    expect((await reset()).statusCode).toBeLessThan(300)
    expect((await notices(t)).slice(3)).toEqual([
      'an authenticator app ("Tablet") was added as a second factor',
      'an administrator removed every second factor of your account',
    ])

    // user2 has no verified address: the same change is told to nobody.
    const user2 = (await loginAs(t, 'user2', 'password2')).access_token
    await addAuthenticator(t, 'Watch', user2)
    expect(await notices(t)).toHaveLength(5)
  })
})
