import type { RouteOptions } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer, loginAs } from '../helpers/build-test-app.js'
import { PageClient } from '../helpers/page-client.js'
import {
  authorizationRequest,
  exchangeCode,
  pathOf,
  relyingParty,
  startProvider,
  type Provider,
} from '../helpers/oidc.js'
import { authorizeInBrowser } from './helpers.js'

// The hosted pages and the consent decision accept only a first-party browser session.
// An app's access token for the person (from openid-client's code flow) is refused there
// exactly like no session at all, whatever cookie carries it (DESIGN: Security, third round).

let provider: Provider
const routes: RouteOptions[] = []
beforeEach(async () => {
  routes.length = 0
  provider = await startProvider({}, { onRoute: (route) => void routes.push(route) })
})
afterEach(() => provider.close())

/** A real app's tokens for user1: openid-client through the code flow. */
async function appTokens(scope: string, extra: Record<string, string> = {}) {
  const app = await provider.registerApp({})
  const config = await relyingParty(provider, app)
  const browser = new PageClient(provider.t)
  const request = await authorizationRequest(config, { scope, ...extra })
  const callback = await authorizeInBrowser(browser, request.url)
  const tokens = await exchangeCode(config, callback, request)
  /** Another session of the app (consent is remembered: no page in between). */
  const again = async () => {
    const next = await authorizationRequest(config, { scope })
    return exchangeCode(config, await authorizeInBrowser(browser, next.url), next)
  }
  return { app, config, tokens, again }
}

/** The names of the pages' cookies, as a real sign-in sets them. */
async function cookieNames() {
  const browser = new PageClient(provider.t)
  expect((await browser.signIn('user1', 'password1')).statusCode).toBe(303)
  const names = [...browser.cookies.keys()]
  const find = (part: string) => names.find((name) => name.includes(part))!
  return { access: find('access'), refresh: find('refresh'), csrf: find('csrf') }
}

/**
 * Two browsers with the same CSRF nonce (so the same form token passes): one anonymous,
 * one carrying the app's token as its session cookie.
 */
async function twoBrowsers(cookies: Record<string, string>) {
  const anonymous = new PageClient(provider.t)
  await anonymous.get('/ui/sign-in')
  const csrf = anonymous.csrf()
  const attacker = new PageClient(provider.t)
  for (const [name, value] of anonymous.cookies) attacker.cookies.set(name, value)
  for (const [name, value] of Object.entries(cookies)) attacker.cookies.set(name, value)
  return { anonymous, attacker, csrf }
}

const outcome = (res: { statusCode: number; headers: Record<string, unknown> }) => ({
  status: res.statusCode,
  location: res.headers.location,
})

describe('an app’s access token is no browser session', () => {
  it('every /ui/ route and the authorization endpoints answer it exactly as they answer no session', async () => {
    const names = await cookieNames()
    const pageRoutes = routes.filter(
      (route) =>
        (route.url.startsWith('/ui/') || route.url.startsWith('/oauth/')) &&
        !route.url.includes('/assets/') &&
        [route.method].flat().some((m) => m === 'GET' || m === 'POST'),
    )
    const urls = new Set(pageRoutes.map((route) => route.url))
    // The pages this round is about are all among them.
    for (const url of ['/ui/account', '/ui/admin', '/ui/sign-in', '/oauth/authorize']) {
      expect(urls, url).toContain(url)
    }
    const { config, again } = await appTokens('openid')
    let compared = 0
    for (const route of pageRoutes) {
      for (const method of [route.method].flat()) {
        if (method !== 'GET' && method !== 'POST') continue
        // A new app session per request: an action that ended one (sign-out, logout)
        // must not hide what the next route would do with a live one.
        const { access_token } = await again()
        const { anonymous, attacker, csrf } = await twoBrowsers({ [names.access]: access_token })
        // The authorization endpoints get a real request of the app (for the decision,
        // its parameters with "allow"); every other route its bare URL.
        const request = await authorizationRequest(config, { scope: 'openid data:read' })
        const authorizeQuery = Object.fromEntries(request.url.searchParams)
        const url = route.url.startsWith('/oauth/authorize')
          ? route.url === '/oauth/authorize' && method === 'GET'
            ? pathOf(request.url)
            : route.url
          : route.url.replace(/:[a-z_]+/gi, 'x')
        const fields =
          route.url === '/oauth/authorize/decision' || route.url === '/oauth/authorize'
            ? { ...authorizeQuery, decision: 'allow', csrf }
            : { csrf }
        const send = (browser: PageClient) =>
          method === 'GET' ? browser.get(url) : browser.post(url, fields, { csrf: null })
        const asApp = outcome(await send(attacker))
        const asNobody = outcome(await send(anonymous))
        expect(asApp, `${method} ${url}`).toEqual(asNobody)
        compared++
      }
    }
    expect(compared).toBeGreaterThan(30)
  })

  it('cannot act on the account, approve more scopes, or mint codes for other apps', async () => {
    const { app, tokens } = await appTokens('openid data:read offline_access', {
      prompt: 'consent',
    })
    const names = await cookieNames()
    const carrying = { [names.access]: tokens.access_token, [names.refresh]: tokens.refresh_token! }
    // The person's own API key, which the app must not be able to revoke.
    const own = (await loginAs(provider.t, 'user1', 'password1')).access_token
    const key = await provider.t.inject({
      method: 'POST',
      url: '/api-keys',
      headers: { ...bearer(own), 'content-type': 'application/json' },
      payload: { name: 'ci' },
    })
    expect(key.statusCode).toBe(201)
    const keyId = key.json<{ id: string }>().id

    const { attacker, csrf } = await twoBrowsers(carrying)
    const account = await attacker.get('/ui/account')
    expect(account.statusCode).toBe(303)
    expect(String(account.headers.location)).toMatch(/^\/ui\/sign-in/)
    const revoke = await attacker.post('/ui/account/api-keys/revoke', { id: keyId }, { csrf })
    expect(revoke.statusCode).toBe(303)
    expect(String(revoke.headers.location)).toMatch(/^\/ui\/sign-in/)
    const keys = await provider.t.inject({ url: '/api-keys', headers: bearer(own) })
    expect(keys.json<{ items: { id: string }[] }>().items.map((k) => k.id)).toContain(keyId)

    // A first-party SPA (no consent, public) would hand a code to whoever asks in the
    // person's browser: the app's token does not make it ask.
    const spa = await provider.registerApp({
      name: 'Own SPA',
      skip_consent: true,
      token_endpoint_auth_method: 'none',
    })
    const spaConfig = await relyingParty(provider, spa, 'none')
    const spaRequest = await authorizationRequest(spaConfig, { scope: 'openid data:read' })
    const minted = await attacker.get(pathOf(spaRequest.url))
    expect(minted.statusCode).toBe(302)
    expect(String(minted.headers.location)).toMatch(/\/ui\/sign-in/)
    expect(String(minted.headers.location)).not.toContain('code=')

    // Nor can it post the consent decision for itself.
    const more = await authorizationRequest(await relyingParty(provider, app), {
      scope: 'openid data:read offline_access',
      prompt: 'consent',
    })
    const decision = await attacker.post(
      '/oauth/authorize/decision',
      { ...Object.fromEntries(new URL(more.url).searchParams), decision: 'allow' },
      { csrf },
    )
    expect(String(decision.headers.location ?? '')).not.toContain('code=')

    // The app's refresh token in the cookie was not spent: the app still refreshes with it.
    const refreshed = await fetch(`${provider.issuer}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token!,
      }),
    })
    expect(refreshed.status).toBe(200)
  })
})
