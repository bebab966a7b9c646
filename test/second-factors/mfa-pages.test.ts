import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'
import { PageClient, textOf } from '../helpers/page-client.js'
import { totpCode } from '../helpers/totp.js'

let t: TestApp
afterEach(() => t?.close())

const SESSION_COOKIE = '__Host-gatehouse-access'

/**
 * Signs user1 in with a password and turns on an authenticator app from the account page;
 * `before` runs once the app exists, before the enrolment.
 */
async function withAuthenticator(
  options: { endOthers?: boolean; before?: () => Promise<void> } = {},
) {
  t = await buildTestApp({ demo: true })
  await options.before?.()
  const browser = new PageClient(t)
  expect((await browser.signIn('user1', 'password1')).statusCode).toBe(303)
  await browser.get('/ui/account')
  expect(textOf(browser.html)).toContain('No second factor yet.')
  const setup = await browser.post('/ui/account/mfa/totp', {})
  expect(setup.statusCode).toBe(200)
  expect(setup.body).toMatch(/<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/)
  const secret = /<code class="mono">([A-Z2-7]+)<\/code>/.exec(setup.body)?.[1] ?? ''
  expect(secret).toMatch(/^[A-Z2-7]{32}$/)
  const id = /name="id" value="([^"]+)"/.exec(setup.body)?.[1] ?? ''

  const wrong = await browser.post('/ui/account/mfa/totp/verify', { id, code: '000000' })
  expect(wrong.statusCode).toBe(401)
  expect(wrong.body).toContain('id="field-code-error"')
  // The same secret again, to try once more.
  expect(wrong.body).toContain(secret)
  // The first factor offers to end the other sessions, ticked.
  expect(setup.body).toMatch(/<input type="checkbox" name="end_other_sessions" value="on" checked/)
  const on = await browser.post('/ui/account/mfa/totp/verify', {
    id,
    code: totpCode(secret, t.clock.now()),
    ...(options.endOthers && { end_other_sessions: 'on' }),
  })
  expect(on.statusCode).toBe(200)
  const codes = [...on.body.matchAll(/<li>([a-z2-9]{5}-[a-z2-9]{5})<\/li>/g)].map((m) => m[1]!)
  expect(codes).toHaveLength(10)
  t.clock.advance(30)
  return { browser, secret, codes }
}

describe('second factors on the pages', () => {
  it('enrolling the first factor with the box ticked signs the other browsers out', async () => {
    const other = { browser: undefined as PageClient | undefined }
    await withAuthenticator({
      endOthers: true,
      before: async () => {
        other.browser = new PageClient(t)
        expect((await other.browser.signIn('user1', 'password1')).statusCode).toBe(303)
      },
    })
    const after = await other.browser!.get('/ui/account')
    expect(after.statusCode).toBe(303)
    expect(String(after.headers.location)).toMatch(/^\/ui\/sign-in/)
  })

  it('unticked, the other browsers stay signed in', async () => {
    const other = { browser: undefined as PageClient | undefined }
    await withAuthenticator({
      before: async () => {
        other.browser = new PageClient(t)
        expect((await other.browser.signIn('user1', 'password1')).statusCode).toBe(303)
      },
    })
    expect((await other.browser!.get('/ui/account')).statusCode).toBe(200)
  })

  it('sign-in asks for the code after the password, with no session until it is right', async () => {
    const { secret } = await withAuthenticator()
    const browser = new PageClient(t)
    const step = await browser.signIn('user1', 'password1')
    expect(step.statusCode).toBe(200)
    expect(textOf(step.body)).toContain('Enter your code')
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(false)
    const mfaToken = /name="mfa_token" value="(gthf_[^"]+)"/.exec(step.body)?.[1] ?? ''
    expect(mfaToken).not.toBe('')

    const wrong = await browser.post('/ui/mfa', { mfa_token: mfaToken, code: '000000' })
    expect(wrong.statusCode).toBe(401)
    expect(textOf(wrong.body)).toContain('Invalid code')
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(false)
    const right = await browser.post('/ui/mfa', {
      mfa_token: mfaToken,
      code: totpCode(secret, t.clock.now()),
    })
    expect(right.statusCode).toBe(303)
    expect(right.headers.location).toBe('/ui/account')
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(true)
    // The token is spent: posting it again is the error page.
    await browser.get('/ui/account')
    const again = await browser.post('/ui/mfa', {
      mfa_token: mfaToken,
      code: totpCode(secret, t.clock.now()),
    })
    expect(again.statusCode).toBe(401)
    expect(textOf(again.body)).toContain('sign in again')
  })

  it('a recovery code signs in once; removing the factor needs a sign-in that passed it', async () => {
    const { browser: passwordOnly, codes } = await withAuthenticator()
    // This browser's session predates the factor: removing it sends to sign in again.
    await passwordOnly.get('/ui/account')
    const id = /name="id" value="([^"]+)"/.exec(passwordOnly.html)?.[1] ?? ''
    const refused = await passwordOnly.post('/ui/account/mfa/remove', { id })
    expect(refused.statusCode).toBe(303)
    expect(refused.headers.location).toBe(
      '/ui/sign-in?return_to=%2Fui%2Faccount&done=reauthenticate',
    )

    const browser = new PageClient(t)
    const step = await browser.signIn('user1', 'password1')
    const mfaToken = /name="mfa_token" value="(gthf_[^"]+)"/.exec(step.body)?.[1] ?? ''
    const done = await browser.post('/ui/mfa', { mfa_token: mfaToken, code: codes[0]! })
    expect(done.statusCode).toBe(303)
    await browser.get('/ui/account')
    expect(textOf(browser.html)).toContain('Recovery codes left: 9.')
    const removed = await browser.post('/ui/account/mfa/remove', { id })
    expect(removed.headers.location).toBe('/ui/account?done=mfa_removed')
    expect(textOf((await browser.get('/ui/account?done=mfa_removed')).body)).toContain(
      'No second factor yet.',
    )
  })

  it('an admin resets a user’s factors from the console', async () => {
    await withAuthenticator()
    const admin = new PageClient(t)
    await admin.signIn('admin', 'adminpass')
    await admin.get('/ui/admin/users')
    expect(textOf(admin.html)).toContain('Reset second factors')
    const userId = (await t.core.store.users.findByUsernameKey('user1'))!.id
    const reset = await admin.post('/ui/admin/users/reset-mfa', { id: userId })
    expect(reset.headers.location).toBe('/ui/admin/users?done=mfa_reset')
    const plain = new PageClient(t)
    expect((await plain.signIn('user1', 'password1')).statusCode).toBe(303)
  })

  it('GATEHOUSE_MFA_REQUIRED_ROLES sends an admin without a factor to set one up', async () => {
    t = await buildTestApp({ demo: true, mfaRequiredRoles: 'admin' })
    const admin = new PageClient(t)
    await admin.signIn('admin', 'adminpass')
    const console = await admin.get('/ui/admin/users')
    expect(console.headers.location).toBe('/ui/account?done=mfa_needed')
    expect(textOf((await admin.get('/ui/account')).body)).toContain(
      'Your role needs a second factor.',
    )
  })
})
