import { mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Page, Response } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'
import {
  chromiumAvailable,
  freePort,
  launchChromium,
  scrollsSideways,
  seriousA11yViolations,
} from '../helpers/browser.js'
import { linkOf, nextMailTo } from '../helpers/mail-flow.js'
import { totpCode } from '../helpers/totp.js'
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.js'

// The hosted pages in real Chromium against a real listening Gatehouse. Set
// GATEHOUSE_SCREENSHOTS=1 to refresh the screenshots in docs/ui/.

const run = chromiumAvailable()
const SCREENSHOTS = process.env['GATEHOUSE_SCREENSHOTS'] === '1'
const screenshotDir = fileURLToPath(new URL('../../docs/ui/', import.meta.url))

let t: TestApp
let smtp: TestSmtp
let base: string
let browser: Browser
let context: BrowserContext | undefined
/** What every page of a test must not show: CSP violations, script errors, missing headers. */
let problems: string[] = []

beforeAll(async () => {
  if (!run) return
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  // The default cookies (`__Host-`, Secure): browsers accept them on loopback over http.
  smtp = await startTestSmtp()
  t = await buildTestApp({ demo: true, issuer: base, smtpUrl: smtp.url })
  await t.app.listen({ host: '127.0.0.1', port })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await t?.close()
  await smtp?.stop()
})
afterEach(async () => {
  await context?.close()
  context = undefined
  const seen = problems
  problems = []
  expect(seen).toEqual([])
})

async function openPage(
  options: { javaScriptEnabled?: boolean; width?: number } = {},
): Promise<Page> {
  context = await browser.newContext({
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    viewport: { width: options.width ?? 1100, height: 900 },
  })
  const page = await context.newPage()
  page.on('console', (message) => {
    // A page answered 401, 403 or 404 on purpose says so in the console; that is no problem.
    const status = /^Failed to load resource: the server responded with a status of 4\d\d/
    if (message.type() === 'error' && !status.test(message.text())) {
      problems.push(`console: ${message.text()}`)
    }
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('response', (response) => checkHeaders(response))
  page.on('dialog', (dialog) => void dialog.accept())
  return page
}

/** Every document the pages answer carries the strict headers. */
function checkHeaders(response: Response): void {
  const request = response.request()
  if (request.resourceType() !== 'document' || !response.url().startsWith(`${base}/ui`)) return
  const headers = response.headers()
  const csp = headers['content-security-policy'] ?? ''
  const ok =
    csp.includes("script-src 'self'") &&
    csp.includes("frame-ancestors 'none'") &&
    !/unsafe-inline|unsafe-eval/.test(csp) &&
    headers['referrer-policy'] === 'no-referrer' &&
    headers['cache-control'] === 'no-store' &&
    headers['x-content-type-options'] === 'nosniff'
  if (!ok) problems.push(`headers of ${response.url()}: ${JSON.stringify(headers)}`)
}

async function signIn(page: Page, username: string, password: string, path = '/ui/sign-in') {
  await page.goto(`${base}${path}`)
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
}

async function api(
  path: string,
  init: { method?: string; token?: string; json?: unknown; form?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = {}
  let body: string | undefined
  if (init.token) headers['authorization'] = `Bearer ${init.token}`
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(init.json)
  }
  if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    body = new URLSearchParams(init.form).toString()
  }
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? (body ? 'POST' : 'GET'),
    headers,
    ...(body !== undefined && { body }),
  })
  return {
    status: res.status,
    body: (await res.json().catch(() => null)) as Record<string, unknown> | null,
  }
}

const loginApi = async (username: string, password: string) =>
  (await api('/login', { json: { username, password } })).body as {
    access_token: string
    refresh_token: string
  }

async function screenshot(page: Page, name: string) {
  if (!SCREENSHOTS) return
  mkdirSync(screenshotDir, { recursive: true })
  await page.screenshot({ path: `${screenshotDir}${name}.png`, fullPage: true })
}

// A browser is slow next to app.inject, more so while other suites share the CPU.
describe.runIf(run)('hosted pages in Chromium', { timeout: 120_000 }, () => {
  it('signs up, signs out, refuses a wrong password and signs in with the right one', async () => {
    const page = await openPage()
    await page.goto(`${base}/`)
    await expect.poll(() => page.url()).toBe(`${base}/ui/sign-in`)
    await page.getByRole('link', { name: 'Create account' }).first().click()
    await page.getByLabel('Username').fill('erin')
    await page.getByLabel('Password').fill('a long enough passphrase')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL(`${base}/ui/account?done=created`)
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('Your account was created')

    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(`${base}/ui/sign-in?done=signed_out`)

    await signIn(page, 'erin', 'the wrong passphrase')
    const alert = page.locator('.alert[role="alert"]')
    await expect.poll(() => alert.textContent()).toBe('Bad username or password')
    // The error is focused, so a screen reader reads it first.
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('alert')
    await page.getByLabel('Password', { exact: true }).fill('a long enough passphrase')
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.waitForURL(`${base}/ui/account`)
  })

  it('signs in and out with the keyboard alone', async () => {
    const page = await openPage()
    await page.goto(`${base}/ui/sign-in`)
    // The username field has the focus on arrival (autofocus may land just after `load`).
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('field-username')
    await page.keyboard.type('user1')
    await page.keyboard.press('Tab')
    await page.keyboard.type('password1')
    await page.keyboard.press('Enter')
    await page.waitForURL(`${base}/ui/account`)
    await page.keyboard.press('Tab') // skip link
    await page.keyboard.press('Tab') // product name
    await page.keyboard.press('Tab') // Account
    await page.keyboard.press('Tab') // Sign out
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Sign out')
    await page.keyboard.press('Enter')
    await page.waitForURL(`${base}/ui/sign-in?done=signed_out`)
  })

  it('works with JavaScript switched off: sign-in, sign-out, and return_to stays home', async () => {
    const page = await openPage({ javaScriptEnabled: false })
    await signIn(page, 'user1', 'password1', '/ui/sign-in?return_to=%2Fui%2Faccount%3Ftab%3D1')
    await page.waitForURL(`${base}/ui/account?tab=1`)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(`${base}/ui/sign-in?done=signed_out`)
    for (const evil of ['https://evil.example/', '//evil.example']) {
      await signIn(page, 'user1', 'password1', `/ui/sign-in?return_to=${encodeURIComponent(evil)}`)
      await page.waitForURL(`${base}/ui/account`)
      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.waitForURL(/sign-in/)
    }
  })

  it('with JavaScript off: forgot password, the mailed link, a new password, and sign-in with it', async () => {
    const admin = await loginApi('admin', 'adminpass')
    const created = await api('/admin/users', {
      token: admin.access_token,
      json: {
        username: 'ines',
        password: 'the forgotten passphrase',
        email: 'ines@example.com',
        email_verified: true,
      },
    })
    expect(created.status).toBe(201)
    const page = await openPage({ javaScriptEnabled: false })
    await page.goto(`${base}/ui/sign-in`)
    await page.getByRole('link', { name: 'Forgot your password?' }).click()
    await page.getByLabel('Email address').fill('INES@example.com')
    await page.getByRole('button', { name: 'Send the link' }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toContain('on its way')

    const { link } = linkOf(await nextMailTo(smtp, 'ines@example.com', 1), 'reset-password')
    await page.goto(link)
    await page.getByLabel('New password', { exact: true }).fill('short')
    await page.getByRole('button', { name: 'Set the new password' }).click()
    // Refused: the form again, the link still good.
    await expect.poll(() => page.locator('#field-new_password-error').textContent()).toBeTruthy()
    await page.getByLabel('New password', { exact: true }).fill('the remembered passphrase')
    await page.getByRole('button', { name: 'Set the new password' }).click()
    await page.waitForURL(`${base}/ui/sign-in?done=password_reset`)
    expect(await page.getByRole('status').textContent()).toContain('Your password was reset')

    await signIn(page, 'ines', 'the forgotten passphrase')
    await expect.poll(() => page.getByRole('alert').first().textContent()).toBeTruthy()
    await signIn(page, 'ines', 'the remembered passphrase')
    await page.waitForURL(`${base}/ui/account`)
    // The link is spent: opening it again shows the form, posting it the error page.
    await page.goto(link)
    await page.getByLabel('New password', { exact: true }).fill('a third passphrase here')
    await page.getByRole('button', { name: 'Set the new password' }).click()
    expect(await page.locator('main').textContent()).toContain(
      'This link is invalid, expired or already used',
    )
  })

  it('with JavaScript off: sign up with an address and confirm it from the mail', async () => {
    const page = await openPage({ javaScriptEnabled: false })
    await page.goto(`${base}/ui/sign-up`)
    await page.getByLabel('Username').fill('jonas')
    await page.getByLabel('Password').fill('a passphrase for jonas')
    await page.getByLabel('Email (optional)').fill('jonas@example.com')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL(`${base}/ui/account?done=created`)
    expect(await page.locator('main').textContent()).toContain('not verified')

    const { link } = linkOf(await nextMailTo(smtp, 'jonas@example.com', 1))
    await page.goto(link)
    await page.getByRole('button', { name: 'Confirm my address' }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toContain('confirmed')
    await page.goto(`${base}/ui/account`)
    expect(await page.locator('main').textContent()).toMatch(/jonas@example\.com\s*verified/)
  })

  it('turns on an authenticator app, then signs in with password and code (accessibly)', async () => {
    await api('/register', { json: { username: 'kai', password: 'a passphrase for kai' } })
    const page = await openPage()
    await signIn(page, 'kai', 'a passphrase for kai')
    await page.waitForURL(`${base}/ui/account`)
    await page.getByRole('button', { name: 'Add an authenticator app' }).click()
    await page.getByRole('img', { name: 'QR code to scan with an authenticator app' }).waitFor()
    expect(await seriousA11yViolations(page)).toEqual([])
    await screenshot(page, 'mfa-setup')
    const secret = (await page.locator('.setup code').textContent()) ?? ''
    await page.getByLabel('Code from the app').fill(totpCode(secret, t.clock.now()))
    await page.getByRole('button', { name: 'Turn on' }).click()
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor()
    expect(await page.locator('ul.codes li').count()).toBe(10)
    await page.getByRole('button', { name: 'Sign out' }).click()

    await signIn(page, 'kai', 'a passphrase for kai')
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor()
    expect(await seriousA11yViolations(page)).toEqual([])
    await screenshot(page, 'mfa-sign-in')
    expect((await context!.cookies()).map((c) => c.name)).not.toContain('__Host-gatehouse-access')
    // The step the activation used is spent; the next one is the app's next code.
    await page.getByLabel('Code', { exact: true }).fill(totpCode(secret, t.clock.now(), 1))
    await page.getByRole('button', { name: 'Verify' }).click()
    await page.waitForURL(`${base}/ui/account`)
    expect(await page.locator('main').textContent()).toContain('Authenticator app')
  })

  it('account: ends another session, shows an API key once and revokes it, changes the password', async () => {
    await api('/register', { json: { username: 'frank', password: 'frank the first passphrase' } })
    const page = await openPage()
    await signIn(page, 'frank', 'frank the first passphrase')
    await page.waitForURL(`${base}/ui/account`)

    // Another session (a phone, say) shows up; ending it refuses its refresh token.
    const phone = await loginApi('frank', 'frank the first passphrase')
    const phoneSession = (await api('/sessions', { token: phone.access_token })).body as {
      items: { id: string; current: boolean }[]
    }
    const phoneId = phoneSession.items.find((s) => s.current)!.id
    await page.reload()
    await page
      .locator(`tr[data-session="${phoneId}"]`)
      .getByRole('button', { name: /End session/ })
      .click()
    await page.waitForURL(`${base}/ui/account?done=session_ended`)
    expect((await api('/refresh', { json: { refresh_token: phone.refresh_token } })).status).toBe(
      401,
    )
    expect(await page.locator('tr[data-session]').count()).toBe(1)

    // An API key, shown once, works, then is revoked.
    await page.getByLabel('Key name').fill('deploy script')
    await page.getByRole('button', { name: 'Create key' }).click()
    const key = (await page.locator('.secret code').textContent())!.trim()
    expect(key).toMatch(/^gthk_/)
    expect((await api('/protected', { token: key })).status).toBe(200)
    await screenshot(page, 'account-api-key')
    await page.goto(`${base}/ui/account`)
    expect(await page.content()).not.toContain(key)
    await page
      .locator('tr[data-api-key]')
      .getByRole('button', { name: /Revoke/ })
      .click()
    await page.waitForURL(`${base}/ui/account?done=key_revoked`)
    expect((await api('/protected', { token: key })).status).toBe(401)

    // The password changes; the old one no longer logs in.
    await page.getByLabel('Current password').fill('frank the first passphrase')
    await page.getByLabel('New password', { exact: true }).fill('frank the second passphrase')
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.waitForURL(`${base}/ui/account?done=password_changed`)
    expect(
      (await api('/login', { json: { username: 'frank', password: 'frank the first passphrase' } }))
        .status,
    ).toBe(401)
    expect(
      (
        await api('/login', {
          json: { username: 'frank', password: 'frank the second passphrase' },
        })
      ).status,
    ).toBe(200)
  })

  it('admin: disables a user, creates a client whose secret works once shown, rotates the keys', async () => {
    await api('/register', { json: { username: 'grace', password: 'grace has a passphrase' } })
    const page = await openPage()
    await signIn(page, 'admin', 'adminpass')
    await page.waitForURL(`${base}/ui/account`)
    await page.getByRole('link', { name: 'Admin' }).click()
    await page.waitForURL(`${base}/ui/admin/users`)
    await page.getByLabel('Search by username').fill('grace')
    await page.getByRole('button', { name: 'Search' }).click()
    await page
      .locator('tr[data-user="grace"]')
      .getByRole('button', { name: /Disable/ })
      .click()
    await page.waitForURL(`${base}/ui/admin/users?done=user_updated`)
    const refused = await api('/login', {
      json: { username: 'grace', password: 'grace has a passphrase' },
    })
    expect(refused.body).toMatchObject({ error: 'user_disabled' })

    await page.getByRole('link', { name: 'OAuth clients' }).click()
    await page.getByLabel('Client name').fill('reports job')
    await page.getByLabel('Scopes (separated by spaces)').fill('data:read')
    await page.getByRole('button', { name: 'Create client' }).click()
    const clientId = (await page.locator('[data-client-id]').textContent())!.trim()
    const secret = (await page.locator('.secret code[data-copy]').textContent())!.trim()
    const token = await api('/oauth/token', {
      form: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret },
    })
    expect(token.status).toBe(200)
    expect(token.body).toMatchObject({ token_type: 'Bearer' })

    const before = (await api('/.well-known/jwks.json')).body as { keys: { kid: string }[] }
    await page.getByRole('link', { name: 'Signing keys' }).click()
    await page.getByRole('button', { name: 'Rotate signing keys' }).click()
    await page.waitForURL(`${base}/ui/admin/keys?done=rotated`)
    const after = (await api('/.well-known/jwks.json')).body as { keys: { kid: string }[] }
    expect(after.keys.map((k) => k.kid)).not.toEqual(before.keys.map((k) => k.kid))
  })

  it('a form posted from another origin, or without its token, changes nothing', async () => {
    const { access_token } = await loginApi('user2', 'password2')
    const evilPort = await freePort()
    const evil: Server = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html')
      response.end(
        `<!doctype html><form id="f" method="post" action="${base}/ui/account/api-keys">` +
          '<input name="name" value="planted"><input name="scopes" value=""><input name="expires" value="never"></form>' +
          '<script>document.getElementById("f").submit()</script>',
      )
    })
    await new Promise<void>((resolve) => evil.listen(evilPort, '127.0.0.1', resolve))
    try {
      const page = await openPage()
      await signIn(page, 'user2', 'password2')
      await page.waitForURL(`${base}/ui/account`)
      // A different port is another origin (and the same site): SameSite=Lax lets the
      // cookies travel, so only the CSRF defences stand in the way.
      const answer = page.waitForResponse(`${base}/ui/account/api-keys`)
      await page.goto(`http://127.0.0.1:${evilPort}/`)
      expect((await answer).status()).toBe(403)
      // Our own origin, but a request without the form's token.
      await page.goto(`${base}/ui/account`)
      const status = await page.evaluate(async () => {
        const res = await fetch('/ui/account/api-keys', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'name=planted&scopes=&expires=never',
        })
        return res.status
      })
      expect(status).toBe(403)
      const keys = (await api('/api-keys', { token: access_token })).body as { items: unknown[] }
      expect(keys.items).toEqual([])
    } finally {
      await new Promise((resolve) => evil.close(resolve))
    }
  })

  it('every page: no serious accessibility finding, no sideways scroll at 375 px', async () => {
    const pages: [string, string, string | null][] = [
      ['sign-in', '/ui/sign-in', null],
      ['sign-up', '/ui/sign-up', null],
      ['forgot-password', '/ui/forgot-password', null],
      ['reset-password', `/ui/reset-password?token=gthm_${'A'.repeat(43)}`, null],
      ['verify-email', `/ui/verify-email?token=gthm_${'A'.repeat(43)}`, null],
      ['not-found', '/ui/no-such-page', null],
      ['account', '/ui/account', 'user1'],
      ['admin-users', '/ui/admin/users', 'admin'],
      ['admin-audit', '/ui/admin/audit', 'admin'],
      ['admin-clients', '/ui/admin/clients', 'admin'],
      ['admin-keys', '/ui/admin/keys', 'admin'],
    ]
    const passwords: Record<string, string> = { user1: 'password1', admin: 'adminpass' }
    for (const width of [1100, 375]) {
      let signedInAs: string | null | undefined = undefined
      for (const [name, path, user] of pages) {
        if (user !== signedInAs) {
          await context?.close()
          const page = await openPage({ width })
          if (user) {
            await signIn(page, user, passwords[user]!)
            await page.waitForURL(`${base}/ui/account`)
          }
          signedInAs = user
        }
        const page = context!.pages()[0]!
        await page.goto(`${base}${path}`)
        expect(JSON.stringify(await seriousA11yViolations(page)), `${name} at ${width}px`).toBe(
          '[]',
        )
        expect(await scrollsSideways(page), `${name} scrolls sideways at ${width}px`).toBe(false)
        if (width === 1100) await screenshot(page, name)
        if (width === 375 && name === 'account') await screenshot(page, 'account-mobile')
      }
    }
    // A sign-in error, as people see it.
    await context?.close()
    const page = await openPage()
    await signIn(page, 'user1', 'not the password')
    expect(await seriousA11yViolations(page)).toEqual([])
    await screenshot(page, 'sign-in-error')
  })
})
