import { createServer, type Server } from 'node:http'
import { fileURLToPath } from 'node:url'
import * as client from 'openid-client'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, json, loginAs } from '../helpers/build-test-app.js'
import {
  chromiumAvailable,
  freePort,
  launchChromium,
  seriousA11yViolations,
} from '../helpers/browser.js'
import {
  authorizationRequest,
  exchangeCode,
  relyingParty,
  startProvider,
  type Provider,
} from '../helpers/oidc.js'
import { totpCode } from '../helpers/totp.js'

// The code flow in Debian's Chromium: the hosted sign-in and consent pages, their strict
// CSP (form-action must let the redirect chain reach the app), and the app's callback on
// a server of its own. openid-client is the relying party.

const run = chromiumAvailable()

let provider: Provider
let browser: Browser
let appServer: Server
let appOrigin: string
/** Every URL the app's server was asked for. */
const arrivals: URL[] = []

beforeAll(async () => {
  if (!run) return
  provider = await startProvider()
  const port = await freePort()
  appOrigin = `http://127.0.0.1:${port}`
  appServer = createServer((request, response) => {
    arrivals.push(new URL(request.url ?? '/', appOrigin))
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    response.end('<!doctype html><title>App</title><h1>Back at the app</h1>')
  })
  await new Promise<void>((resolve) => appServer.listen(port, '127.0.0.1', resolve))
  browser = await launchChromium()
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => appServer?.close(resolve))
  await provider?.close()
})

/** A new browser (no cookies), logging every CSP refusal the page reports. */
async function freshPage(): Promise<{ page: Page; refusals: string[] }> {
  const context = await browser.newContext()
  const page = await context.newPage()
  const refusals: string[] = []
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) refusals.push(message.text())
  })
  return { page, refusals }
}

async function signInOnPage(page: Page, username = 'user1', password = 'password1') {
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
}

async function arrivedAt(page: Page, path: string): Promise<URL> {
  await page.waitForURL((url) => url.origin === appOrigin && url.pathname === path, {
    timeout: 10_000,
  })
  const url = new URL(page.url())
  // The app's server saw the same address (the browser really went there).
  expect(arrivals.some((seen) => seen.href === url.href)).toBe(true)
  return url
}

describe.skipIf(!run)('the code flow in Chromium', () => {
  it('signs in, asks consent and lands at a confidential app, whose tokens openid-client accepts', async () => {
    const app = await provider.registerApp({ redirect_uris: [`${appOrigin}/callback`] })
    const config = await relyingParty(provider, app)
    const request = await authorizationRequest(config, {}, `${appOrigin}/callback`)
    const { page, refusals } = await freshPage()
    await page.goto(request.url.href)
    await signInOnPage(page)
    await page.getByRole('heading', { name: /Team wiki wants to use your/ }).waitFor()
    expect(await seriousA11yViolations(page)).toEqual([])
    // GATEHOUSE_SCREENSHOTS=1 refreshes docs/ui/consent.png.
    if (process.env['GATEHOUSE_SCREENSHOTS'] === '1') {
      await page.screenshot({
        path: fileURLToPath(new URL('../../docs/ui/consent.png', import.meta.url)),
        fullPage: true,
      })
    }
    await page.getByRole('button', { name: 'Allow' }).click()
    const callback = await arrivedAt(page, '/callback')
    expect(refusals).toEqual([])
    const tokens = await exchangeCode(config, callback, request)
    expect(tokens.claims()?.preferred_username).toBe('user1')
    await page.context().close()
  })

  it('a first-party public app goes from the sign-in form straight back to the app', async () => {
    const app = await provider.registerApp({
      redirect_uris: [`${appOrigin}/spa`],
      token_endpoint_auth_method: 'none',
      skip_consent: true,
    })
    const config = await relyingParty(provider, app, 'none')
    const request = await authorizationRequest(config, {}, `${appOrigin}/spa`)
    const { page, refusals } = await freshPage()
    await page.goto(request.url.href)
    await signInOnPage(page)
    const callback = await arrivedAt(page, '/spa')
    expect(refusals).toEqual([])
    const tokens = await exchangeCode(config, callback, request)
    expect(tokens.access_token).toBeTruthy()
    await page.context().close()
  })

  it('a sign-in with an authenticator app puts mfa in amr; denying consent answers access_denied (client_secret_post)', async () => {
    // user2 turns on an authenticator app through the JSON API.
    const access = (await loginAs(provider.t, 'user2', 'password2')).access_token
    const started = await provider.t.inject({
      method: 'POST',
      url: '/me/mfa/totp',
      ...json({}, bearer(access)),
    })
    const { id, secret } = started.json<{ id: string; secret: string }>()
    const verified = await provider.t.inject({
      method: 'POST',
      url: `/me/mfa/totp/${id}/verify`,
      ...json({ code: totpCode(secret, provider.t.clock.now()) }, bearer(access)),
    })
    expect(verified.statusCode).toBe(200)
    provider.t.clock.advance(30)

    const app = await provider.registerApp({
      redirect_uris: [`${appOrigin}/callback`],
      token_endpoint_auth_method: 'client_secret_post',
    })
    const config = await relyingParty(provider, app, 'post')
    const { page, refusals } = await freshPage()
    const denied = await authorizationRequest(config, {}, `${appOrigin}/callback`)
    await page.goto(denied.url.href)
    await signInOnPage(page, 'user2', 'password2')
    await page.locator('input[name="code"]').fill(totpCode(secret, provider.t.clock.now()))
    await page.getByRole('button', { name: 'Verify', exact: true }).click()
    await page.getByRole('button', { name: 'Deny' }).click()
    const refusal = await arrivedAt(page, '/callback')
    expect(refusal.searchParams.get('error')).toBe('access_denied')
    expect(refusal.searchParams.get('state')).toBe(denied.state)

    const allowed = await authorizationRequest(config, {}, `${appOrigin}/callback`)
    await page.goto(allowed.url.href)
    await page.getByRole('button', { name: 'Allow' }).click()
    const callback = await arrivedAt(page, '/callback')
    expect(refusals).toEqual([])
    const tokens = await exchangeCode(config, callback, allowed)
    expect(tokens.claims()?.amr).toEqual(expect.arrayContaining(['pwd', 'mfa']))
    await page.context().close()
  })

  it('RP-initiated logout ends the session and returns to the registered page with state', async () => {
    const app = await provider.registerApp({
      redirect_uris: [`${appOrigin}/callback`],
      post_logout_redirect_uris: [`${appOrigin}/signed-out`],
      skip_consent: true,
    })
    const config = await relyingParty(provider, app)
    const request = await authorizationRequest(config, {}, `${appOrigin}/callback`)
    const { page } = await freshPage()
    await page.goto(request.url.href)
    await signInOnPage(page)
    const callback = await arrivedAt(page, '/callback')
    const tokens = await exchangeCode(config, callback, request)
    await page.goto(
      client.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: `${appOrigin}/signed-out`,
        state: 'bye',
      }).href,
    )
    const landed = await arrivedAt(page, '/signed-out')
    expect(landed.searchParams.get('state')).toBe('bye')
    await page.goto(`${provider.issuer}/ui/account`)
    expect(new URL(page.url()).pathname).toBe('/ui/sign-in')
    await page.context().close()
  })
})
