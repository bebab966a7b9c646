import * as client from 'openid-client'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer, json, loginAs } from '../helpers/build-test-app.js'
import { PageClient, textOf } from '../helpers/page-client.js'
import {
  APP_REDIRECT,
  authorizationRequest,
  exchangeCode,
  pathOf,
  relyingParty,
  startProvider,
  type Provider,
} from '../helpers/oidc.js'
import { authorizeInBrowser, hiddenFields } from './helpers.js'

let provider: Provider
beforeEach(async () => {
  provider = await startProvider()
})
afterEach(() => provider.close())

/** The code flow from authorization request to tokens, verified by openid-client. */
async function signIn(
  config: client.Configuration,
  browser = new PageClient(provider.t),
  extra: Record<string, string> = {},
) {
  const request = await authorizationRequest(config, extra)
  const callback = await authorizeInBrowser(browser, request.url)
  const tokens = await exchangeCode(config, callback, request, { idTokenExpected: true })
  return { tokens, callback, browser, request }
}

const userinfoUrl = () => `${provider.issuer}/oauth/userinfo`

describe('OpenID Connect with openid-client as the relying party', () => {
  it('is found by discovery in its default OIDC mode', async () => {
    const app = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    const metadata = config.serverMetadata()
    expect(metadata.issuer).toBe(provider.issuer)
    expect(metadata.authorization_endpoint).toBe(`${provider.issuer}/oauth/authorize`)
    expect(metadata.code_challenge_methods_supported).toEqual(['S256'])
    // The JWKS publishes the RSA key ID tokens are signed with (OIDC Core §15.1), current and next.
    const jwks = (await provider.t.inject({ url: '/.well-known/jwks.json' })).json<{
      keys: { kty: string; alg: string }[]
    }>()
    expect(jwks.keys.filter((key) => key.alg === 'RS256' && key.kty === 'RSA')).toHaveLength(2)
  })

  it('rotates the ID-token keys with the access-token keys: the next RSA key signs next', async () => {
    const app = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    const before = await signIn(config)
    const jwks = async () =>
      (await provider.t.inject({ url: '/.well-known/jwks.json' })).json<{
        keys: { kid: string; alg: string }[]
      }>().keys
    const rsaBefore = (await jwks()).filter((key) => key.alg === 'RS256').map((key) => key.kid)
    const admin = (await loginAs(provider.t, 'admin', 'adminpass')).access_token
    const rotated = await provider.t.inject({
      method: 'POST',
      url: '/admin/keys/rotate',
      headers: bearer(admin),
    })
    expect(rotated.statusCode).toBe(200)
    const after = await signIn(config)
    const kid = (token: string) => decodeProtectedHeader(token).kid
    // The new signer was published (as "next") before it signed anything.
    expect(kid(after.tokens.id_token!)).not.toBe(kid(before.tokens.id_token!))
    expect(rsaBefore).toContain(kid(after.tokens.id_token!))
    // The retired key is still published while its ID tokens may live.
    expect((await jwks()).map((key) => key.kid)).toContain(kid(before.tokens.id_token!))
  })

  it('signs a user in for a confidential client (client_secret_basic): ID token, userinfo', async () => {
    const app = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    const { tokens, callback } = await signIn(config)
    // RFC 9207: the authorization response names its issuer.
    expect(callback.searchParams.get('iss')).toBe(provider.issuer)
    const claims = tokens.claims()!
    const access = decodeJwt(tokens.access_token)
    expect(claims.iss).toBe(provider.issuer)
    expect(claims.aud).toBe(app.client_id)
    expect(claims.sub).toBe(access.sub)
    expect(claims['preferred_username']).toBe('user1')
    expect(claims['amr']).toEqual(['pwd'])
    expect(claims.auth_time).toBeGreaterThan(0)
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256')
    expect(access['client_id']).toBe(app.client_id)
    // The app gets what it was granted, none of the user's roles.
    expect(access['roles']).toEqual([])
    expect(tokens.scope).toBe('openid profile email')
    // offline_access was not asked for: no refresh token.
    expect(tokens.refresh_token).toBeUndefined()

    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub)
    expect(info).toEqual({ sub: claims.sub, preferred_username: 'user1' })
    const posted = await client.fetchProtectedResource(
      config,
      tokens.access_token,
      new URL(userinfoUrl()),
      'POST',
    )
    expect(await posted.json()).toEqual(info)
    // RFC 6750 §2.2: the token in the form body.
    const inBody = await fetch(userinfoUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: tokens.access_token }),
    })
    expect(inBody.status).toBe(200)
    expect(await inBody.json()).toEqual(info)
  })

  it('signs a user in for client_secret_post and for a public client (no secret)', async () => {
    const post = await provider.registerApp({ token_endpoint_auth_method: 'client_secret_post' })
    const viaPost = await signIn(await relyingParty(provider, post, 'post'))
    expect(viaPost.tokens.claims()?.aud).toBe(post.client_id)

    const spa = await provider.registerApp({ token_endpoint_auth_method: 'none' })
    expect(spa.client_secret).toBeUndefined()
    const publicConfig = await relyingParty(provider, spa, 'none')
    const viaPublic = await signIn(publicConfig)
    expect(viaPublic.tokens.claims()?.aud).toBe(spa.client_id)
    // A public client cannot pretend to be a confidential one: its client_id alone is no
    // authentication for a client that has a secret.
    const confidential = await provider.registerApp({})
    const bare = await relyingParty(provider, confidential, 'none')
    const request = await authorizationRequest(bare)
    const callback = await authorizeInBrowser(new PageClient(provider.t), request.url)
    await expect(exchangeCode(bare, callback, request)).rejects.toMatchObject({
      status: 401,
      cause: [{ scheme: 'basic' }],
    })
  })

  it('gives a public client offline_access with prompt=consent; it refreshes with its client_id alone', async () => {
    // supabase/auth#2820: a public client asking for offline_access (with a `resource`)
    // got a 400 at consent.
    const spa = await provider.registerApp({ token_endpoint_auth_method: 'none' })
    const config = await relyingParty(provider, spa, 'none')
    const { tokens } = await signIn(config, undefined, {
      scope: 'openid offline_access',
      prompt: 'consent',
      resource: 'https://api.example',
    })
    expect(tokens.refresh_token).toMatch(/^gthr_/)
    const next = await client.refreshTokenGrant(config, tokens.refresh_token!)
    expect(next.refresh_token).toMatch(/^gthr_/)
    expect(next.claims()?.aud).toBe(spa.client_id)
  })

  it('signs ID tokens with the algorithm the client registered', async () => {
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const app = await provider.registerApp({ id_token_signed_response_alg: alg })
      const config = await relyingParty(provider, app, 'basic', {
        id_token_signed_response_alg: alg,
      })
      const { tokens } = await signIn(config)
      expect(decodeProtectedHeader(tokens.id_token!).alg).toBe(alg)
    }
  })

  it('accepts a request without nonce, and auth_time is the sign-in’s', async () => {
    const app = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    // No nonce: the request still succeeds (certification: request-without-nonce-succeeds).
    const verifier = client.randomPKCECodeVerifier()
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: APP_REDIRECT,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 's1',
    })
    const callback = await authorizeInBrowser(new PageClient(provider.t), url)
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 's1',
    })
    expect(tokens.claims()?.nonce).toBeUndefined()
    expect(tokens.claims()?.auth_time).toBe(Math.floor(provider.t.clock.now() / 1000))
  })
})

describe('the authorization endpoint refuses what RFC 9700 rules out', () => {
  it('requires PKCE with S256: a missing or plain challenge goes back as invalid_request', async () => {
    const app = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    const browser = new PageClient(provider.t)
    await browser.signIn('user1', 'password1')
    for (const pkce of [
      {},
      { code_challenge: 'x'.repeat(43) },
      { code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' },
    ]) {
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: APP_REDIRECT,
        scope: 'openid',
        state: 'kept',
        ...pkce,
      })
      const res = await browser.get(pathOf(url))
      expect(res.statusCode).toBe(302)
      const back = new URL(String(res.headers.location))
      expect(`${back.origin}${back.pathname}`).toBe(APP_REDIRECT)
      expect(back.searchParams.get('error')).toBe('invalid_request')
      expect(back.searchParams.get('state')).toBe('kept')
      expect(back.searchParams.get('iss')).toBe(provider.issuer)
      expect(back.searchParams.get('code')).toBeNull()
    }
  })

  it('refuses a wrong code_verifier with invalid_grant, and the code stays good for the right one', async () => {
    const app = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    const request = await authorizationRequest(config)
    const callback = await authorizeInBrowser(new PageClient(provider.t), request.url)
    await expect(
      client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: client.randomPKCECodeVerifier(),
        expectedState: request.state,
        expectedNonce: request.nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' })
    const tokens = await exchangeCode(config, callback, request)
    expect(tokens.access_token).toBeTruthy()
  })

  it('a code used twice is invalid_grant, and what its first use issued is refused', async () => {
    const app = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    const { tokens, callback, request } = await signIn(config, undefined, {
      scope: 'openid offline_access',
      prompt: 'consent',
    })
    expect(tokens.refresh_token).toBeTruthy()
    await expect(exchangeCode(config, callback, request)).rejects.toMatchObject({
      error: 'invalid_grant',
    })
    const info = await fetch(userinfoUrl(), { headers: bearer(tokens.access_token) })
    expect(info.status).toBe(401)
    expect(info.headers.get('www-authenticate')).toMatch(/error="invalid_token"/)
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    })
  })

  it('of ten concurrent exchanges of one code exactly one wins', async () => {
    const app = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    const request = await authorizationRequest(config)
    const callback = await authorizeInBrowser(new PageClient(provider.t), request.url)
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => exchangeCode(config, callback, request)),
    )
    const won = results.filter((r) => r.status === 'fulfilled')
    expect(won.length).toBeLessThanOrEqual(1)
    for (const lost of results.filter((r) => r.status === 'rejected')) {
      expect(lost.reason).toMatchObject({ error: 'invalid_grant' })
    }
    // The winner's tokens, if any, died with the reuse the losers made.
    for (const win of won) {
      const res = await fetch(userinfoUrl(), { headers: bearer(win.value.access_token) })
      expect(res.status).toBe(401)
    }
  })

  it('refuses another client’s code and the right code at another redirect URI', async () => {
    const second = 'https://app.example/other'
    const app = await provider.registerApp({ redirect_uris: [APP_REDIRECT, second] })
    const other = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    const request = await authorizationRequest(config)
    const callback = await authorizeInBrowser(new PageClient(provider.t), request.url)
    const code = callback.searchParams.get('code')!
    const exchange = (fields: Record<string, string>, auth: RegisteredAuth) =>
      provider.t.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${auth.id}:${auth.secret}`).toString('base64')}`,
        },
        payload: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          code_verifier: request.codeVerifier,
          redirect_uri: APP_REDIRECT,
          ...fields,
        }).toString(),
      })
    const mine = { id: app.client_id, secret: app.client_secret! }
    const theirs = { id: other.client_id, secret: other.client_secret! }
    const byOther = await exchange({}, theirs)
    expect(byOther.statusCode).toBe(400)
    expect(byOther.json()).toMatchObject({ error: 'invalid_grant' })
    const elsewhere = await exchange({ redirect_uri: second }, mine)
    expect(elsewhere.json()).toMatchObject({ error: 'invalid_grant' })
    const missing = await exchange({ code_verifier: '' }, mine)
    expect(missing.json()).toMatchObject({ error: 'invalid_grant' })
    const right = await exchange({}, mine)
    expect(right.statusCode, right.body).toBe(200)
    expect(right.json()).toHaveProperty('id_token')
  })

  it('shows an error page, never a redirect, for an unknown client or unregistered redirect URI', async () => {
    const app = await provider.registerApp({ redirect_uris: ['https://app.example/cb'] })
    const browser = new PageClient(provider.t)
    await browser.signIn('user1', 'password1')
    const base = {
      response_type: 'code',
      client_id: app.client_id,
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      state: 'x',
    }
    for (const params of [
      { ...base, redirect_uri: 'https://evil.example/cb' },
      // Prefixes, suffixes and look-alikes of the registered one.
      { ...base, redirect_uri: 'https://app.example/cb/more' },
      { ...base, redirect_uri: 'https://app.example/c' },
      { ...base, redirect_uri: 'https://app.example/cb?x=1' },
      { ...base, redirect_uri: 'https://app.example.evil.example/cb' },
      { ...base, redirect_uri: 'https://APP.example/cb' },
      { ...base },
      { ...base, client_id: 'no-such-client', redirect_uri: 'https://app.example/cb' },
    ]) {
      const res = await browser.get(`/oauth/authorize?${new URLSearchParams(params).toString()}`)
      expect(res.statusCode, JSON.stringify(params)).toBe(400)
      expect(res.headers.location).toBeUndefined()
      expect(res.headers['content-type']).toMatch(/text\/html/)
    }
  })

  it('a registered loopback redirect URI matches any port (RFC 8252 §7.3), nothing else does', async () => {
    const app = await provider.registerApp({
      redirect_uris: ['http://127.0.0.1/callback'],
      token_endpoint_auth_method: 'none',
    })
    const config = await relyingParty(provider, app, 'none')
    const browser = new PageClient(provider.t)
    const request = await authorizationRequest(config, {}, 'http://127.0.0.1:61234/callback')
    const back = await authorizeInBrowser(browser, request.url)
    expect(back.origin).toBe('http://127.0.0.1:61234')
    expect(back.searchParams.get('code')).toMatch(/^gtha_/)
    const other = await authorizationRequest(config, {}, 'http://127.0.0.1:61234/callback2')
    expect((await browser.get(pathOf(other.url))).statusCode).toBe(400)
  })

  it('answers unsupported requests back at the app: response_type, request objects, scopes', async () => {
    const app = await provider.registerApp({ scopes: ['openid'] })
    const config = await relyingParty(provider, app)
    const browser = new PageClient(provider.t)
    await browser.signIn('user1', 'password1')
    const cases: [Record<string, string>, string][] = [
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ response_type: 'code id_token' }, 'unsupported_response_type'],
      [{ request: 'eyJhbGciOiJub25lIn0.e30.' }, 'request_not_supported'],
      [{ request_uri: 'https://app.example/r' }, 'request_uri_not_supported'],
      [{ scope: 'data:read' }, 'invalid_scope'],
      [{ prompt: 'none login' }, 'invalid_request'],
      [{ max_age: 'soon' }, 'invalid_request'],
    ]
    for (const [params, error] of cases) {
      const { url } = await authorizationRequest(config, params)
      const res = await browser.get(pathOf(url))
      const back = new URL(String(res.headers.location))
      // A client that asked for tokens in the redirect reads its answer in the fragment.
      const inFragment = /token/.test(params['response_type'] ?? '')
      const answer = inFragment ? new URLSearchParams(back.hash.slice(1)) : back.searchParams
      expect(answer.get('error'), JSON.stringify(params)).toBe(error)
      expect(answer.get('iss')).toBe(provider.issuer)
    }
    // Without response_type (certification: response-type-missing).
    const { url } = await authorizationRequest(config)
    url.searchParams.delete('response_type')
    const missing = new URL(String((await browser.get(pathOf(url))).headers.location))
    expect(missing.searchParams.get('error')).toBe('invalid_request')
    // Unknown parameters and scopes nobody here knows are ignored.
    const extra = await authorizationRequest(config, {
      scope: 'openid address phone',
      unknown_parameter: 'ignored',
      ui_locales: 'fr',
      claims_locales: 'fr',
      acr_values: '1',
    })
    const ok = await authorizeInBrowser(browser, extra.url)
    expect(ok.searchParams.get('code')).toBeTruthy()
  })
})

interface RegisteredAuth {
  id: string
  secret: string
}

describe('prompt, max_age and login_hint', () => {
  it('prompt=none signed out answers login_required with the state intact', async () => {
    const app = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    const { url, state } = await authorizationRequest(config, { prompt: 'none' })
    const res = await new PageClient(provider.t).get(pathOf(url))
    const back = new URL(String(res.headers.location))
    expect(back.searchParams.get('error')).toBe('login_required')
    expect(back.searchParams.get('state')).toBe(state)
    // Signed in but not yet consented: consent_required (never a page).
    const browser = new PageClient(provider.t)
    await browser.signIn('user1', 'password1')
    const asked = new URL(String((await browser.get(pathOf(url))).headers.location))
    expect(asked.searchParams.get('error')).toBe('consent_required')
  })

  it('prompt=none signed in with consent returns a code without any page', async () => {
    const app = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    const { browser } = await signIn(config)
    const again = await authorizationRequest(config, { prompt: 'none' })
    const res = await browser.get(pathOf(again.url))
    expect(res.statusCode).toBe(302)
    expect(new URL(String(res.headers.location)).searchParams.get('code')).toBeTruthy()
  })

  it('prompt=login and max_age make the user sign in again, with a later auth_time', async () => {
    const app = await provider.registerApp({ skip_consent: true })
    const config = await relyingParty(provider, app)
    const first = await signIn(config)
    const firstAuth = first.tokens.claims()!.auth_time!
    provider.t.clock.advance(30)
    for (const extra of [{ prompt: 'login' }, { max_age: '10' }]) {
      const request = await authorizationRequest(config, extra)
      const res = await first.browser.get(pathOf(request.url))
      expect(res.statusCode).toBe(302)
      expect(String(res.headers.location)).toMatch(/^\/ui\/sign-in\?.*done=reauthenticate/)
      const callback = await authorizeInBrowser(first.browser, request.url)
      const tokens = await exchangeCode(config, callback, request, {
        ...('max_age' in extra && { maxAge: 10 }),
      })
      expect(tokens.claims()!.auth_time).toBeGreaterThan(firstAuth)
      provider.t.clock.advance(30)
    }
    // A recent enough sign-in satisfies max_age without a new one.
    const recent = await authorizationRequest(config, { max_age: '10000' })
    const res = await first.browser.get(pathOf(recent.url))
    expect(new URL(String(res.headers.location)).searchParams.get('code')).toBeTruthy()
  })

  it('max_age=0 and prompt=login need a new sign-in, even within the second of the last one', async () => {
    const app = await provider.registerApp({ skip_consent: true })
    const config = await relyingParty(provider, app)
    // The clock stands still: everything below happens in the second of the sign-in.
    const first = await signIn(config)
    for (const extra of [{ max_age: '0' }, { prompt: 'login' }]) {
      const request = await authorizationRequest(config, extra)
      const res = await first.browser.get(pathOf(request.url))
      expect(res.statusCode, JSON.stringify(extra)).toBe(302)
      const signInPage = String(res.headers.location)
      expect(signInPage).toMatch(/^\/ui\/sign-in\?/)
      // Coming back without signing in is no sign-in, whatever the time says.
      const returnTo = new URL(signInPage, provider.issuer).searchParams.get('return_to')!
      const back = await first.browser.get(returnTo)
      expect(back.statusCode).toBe(302)
      expect(String(back.headers.location)).toMatch(/^\/ui\/sign-in\?/)
      // The proof of a forced sign-in counts for its own request only.
      const other = await authorizationRequest(config, extra)
      const grafted = new URL(other.url)
      grafted.searchParams.set(
        'gatehouse_login_after',
        new URLSearchParams(returnTo.split('?')[1]).get('gatehouse_login_after')!,
      )
      await first.browser.signIn('user1', 'password1')
      const stolen = await first.browser.get(pathOf(grafted))
      expect(String(stolen.headers.location)).toMatch(/^\/ui\/sign-in\?/)
      // Signing in for the request itself satisfies it.
      const res2 = await first.browser.get(pathOf(request.url))
      const page = String(res2.headers.location)
      await first.browser.get(page)
      const done = await first.browser.post(page, { username: 'user1', password: 'password1' })
      expect(done.statusCode).toBe(303)
      const code = await first.browser.get(String(done.headers.location))
      expect(new URL(String(code.headers.location)).searchParams.get('code')).toBeTruthy()
    }
  })

  it('login_hint fills in the username on the sign-in page', async () => {
    const app = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    const { url } = await authorizationRequest(config, { login_hint: 'user2' })
    const browser = new PageClient(provider.t)
    const res = await browser.get(pathOf(url))
    await browser.get(String(res.headers.location))
    expect(browser.html).toMatch(
      /name="username"[^>]*value="user2"|value="user2"[^>]*name="username"/,
    )
  })
})

describe('consent', () => {
  it('denied goes back as access_denied; allowed is remembered; withdrawn ends the app’s tokens', async () => {
    const app = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    const browser = new PageClient(provider.t)
    const denied = await authorizationRequest(config)
    const refusal = await authorizeInBrowser(browser, denied.url, { consent: 'deny' })
    expect(refusal.searchParams.get('error')).toBe('access_denied')
    expect(refusal.searchParams.get('state')).toBe(denied.state)

    // The page says who asks for what.
    const shown = await authorizationRequest(config, { scope: 'openid email data:read' })
    const page = await browser.get(pathOf(shown.url))
    expect(page.statusCode).toBe(200)
    expect(textOf(page.body)).toContain('Team wiki wants to use your')
    expect(textOf(page.body)).toContain('See your email address')
    expect(textOf(page.body)).toContain('data:read')
    expect(page.headers['content-security-policy']).toContain(
      "form-action 'self' https://app.example",
    )

    const { tokens } = await signIn(config, browser)
    // Remembered: the next request gets its code straight away.
    const again = await authorizationRequest(config)
    const res = await browser.get(pathOf(again.url))
    expect(new URL(String(res.headers.location)).searchParams.get('code')).toBeTruthy()

    const user = (await loginAs(provider.t, 'user1', 'password1')).access_token
    const grants = await provider.t.inject({ url: '/me/grants', headers: bearer(user) })
    expect(grants.json()).toMatchObject({
      items: [
        {
          client_id: app.client_id,
          client_name: 'Team wiki',
          scopes: ['openid', 'profile', 'email'],
        },
      ],
      next_cursor: null,
    })
    // The account page lists the app, and removing its access there is the same use case.
    const account = await browser.get('/ui/account')
    expect(textOf(account.body)).toContain('Team wiki')
    expect(account.body).toContain(`data-grant="${app.client_id}"`)
    // The app's session is named after the app in the session list.
    expect(textOf(account.body)).toContain('The app Team wiki')
    const withdrawn = await provider.t.inject({
      method: 'DELETE',
      url: `/me/grants/${app.client_id}`,
      headers: bearer(user),
    })
    expect(withdrawn.statusCode).toBe(204)
    expect((await fetch(userinfoUrl(), { headers: bearer(tokens.access_token) })).status).toBe(401)
    const asked = await browser.get(pathOf((await authorizationRequest(config)).url))
    expect(asked.statusCode).toBe(200)
    expect(asked.body).toContain('name="decision"')
    const gone = await provider.t.inject({
      method: 'DELETE',
      url: `/me/grants/${app.client_id}`,
      headers: bearer(user),
    })
    expect(gone.statusCode).toBe(404)

    // Allowed again, then removed from the account page.
    await browser.post(
      '/oauth/authorize/decision',
      { ...hiddenFields(asked.body), decision: 'allow' },
      { csrf: null },
    )
    await browser.get('/ui/account')
    const removed = await browser.post('/ui/account/grants/withdraw', { id: app.client_id })
    expect(removed.statusCode).toBe(303)
    expect(removed.headers.location).toBe('/ui/account?done=grant_withdrawn')
    const after = await browser.get('/ui/account')
    expect(textOf(after.body)).toContain('You have not let any app sign you in.')
  })

  it('offline_access needs prompt=consent (OIDC Core §11); then refresh tokens rotate with reuse detection', async () => {
    const app = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    const quiet = await signIn(config, undefined, { scope: 'openid offline_access' })
    expect(quiet.tokens.refresh_token).toBeUndefined()
    expect(quiet.tokens.scope).toBe('openid')

    const asked = await signIn(config, undefined, {
      scope: 'openid offline_access',
      prompt: 'consent',
    })
    const first = asked.tokens.refresh_token!
    const rotated = await client.refreshTokenGrant(config, first)
    expect(rotated.refresh_token).not.toBe(first)
    expect(rotated.claims()?.sub).toBe(asked.tokens.claims()?.sub)
    expect(rotated.claims()?.auth_time).toBe(asked.tokens.claims()?.auth_time)
    // After the reuse window, the old token again is a replay: the whole family dies.
    provider.t.clock.advance(60)
    await expect(client.refreshTokenGrant(config, first)).rejects.toMatchObject({
      error: 'invalid_grant',
    })
    await expect(client.refreshTokenGrant(config, rotated.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    })
    // An app's refresh token is the app's: not for /refresh, nor for another client.
    const other = await signIn(config, undefined, {
      scope: 'openid offline_access',
      prompt: 'consent',
    })
    const viaRefresh = await provider.t.inject({
      method: 'POST',
      url: '/refresh',
      ...json({ refresh_token: other.tokens.refresh_token }),
    })
    expect(viaRefresh.statusCode).toBe(401)
    const stranger = await relyingParty(provider, await provider.registerApp({}))
    await expect(
      client.refreshTokenGrant(stranger, other.tokens.refresh_token!),
    ).rejects.toMatchObject({ error: 'invalid_grant' })
  })

  it('carries no decision or form token a request smuggles in onto the consent page', async () => {
    const app = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    const browser = new PageClient(provider.t)
    await browser.signIn('user1', 'password1')
    const request = await authorizationRequest(config, { decision: 'allow', csrf: 'forged' })
    const page = await browser.get(pathOf(request.url))
    expect(page.statusCode).toBe(200)
    expect(page.body.match(/name="decision"/g)).toHaveLength(2) // the two buttons
    expect(page.body).not.toContain('value="forged"')
    const callback = await authorizeInBrowser(browser, request.url)
    expect(callback.searchParams.get('code')).toBeTruthy()
  })

  it('a first-party client (skip_consent) asks nothing', async () => {
    const app = await provider.registerApp({ skip_consent: true })
    const { tokens } = await signIn(await relyingParty(provider, app))
    expect(tokens.access_token).toBeTruthy()
  })
})

describe('an app’s tokens', () => {
  it('reach the APIs their scopes name, never the account', async () => {
    const app = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    const { tokens } = await signIn(config, undefined, { scope: 'openid data:read' })
    const headers = bearer(tokens.access_token)
    expect((await provider.t.inject({ url: '/data', headers })).statusCode).toBe(200)
    for (const url of ['/me', '/sessions', '/api-keys', '/me/grants']) {
      expect((await provider.t.inject({ url, headers })).statusCode, url).toBe(403)
    }
    // Even an admin's consent hands no admin power to the app.
    const forAdmin = await authorizationRequest(config)
    const adminBrowser = new PageClient(provider.t)
    const callback = await authorizeInBrowser(adminBrowser, forAdmin.url, {
      username: 'admin',
      password: 'adminpass',
    })
    const adminTokens = await exchangeCode(config, callback, forAdmin)
    const admin = await provider.t.inject({
      url: '/admin/users',
      headers: bearer(adminTokens.access_token),
    })
    expect(admin.statusCode).toBe(403)
    // A /login token has no openid scope: userinfo refuses it.
    const own = (await loginAs(provider.t, 'user1', 'password1')).access_token
    const info = await fetch(userinfoUrl(), { headers: bearer(own) })
    expect(info.status).toBe(403)
    expect(info.headers.get('www-authenticate')).toMatch(/insufficient_scope/)
  })

  it('carry the user’s claims only as the granted scopes release them', async () => {
    const app = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    const browser = new PageClient(provider.t)
    const only = await signIn(config, browser, { scope: 'openid' })
    const bare = decodeJwt(only.tokens.access_token)
    expect(bare['username']).toBeUndefined()
    expect(bare['email']).toBeUndefined()
    expect(bare['roles']).toEqual([])
    expect(decodeJwt(only.tokens.id_token!)['preferred_username']).toBeUndefined()
    const withProfile = await signIn(config, browser, { scope: 'openid profile' })
    expect(decodeJwt(withProfile.tokens.access_token)['username']).toBe('user1')
    expect(decodeJwt(withProfile.tokens.id_token!)['preferred_username']).toBe('user1')
  })

  it('die with their app: deleting the client ends its sessions and tokens', async () => {
    const app = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    const { tokens } = await signIn(config, undefined, {
      scope: 'openid offline_access',
      prompt: 'consent',
    })
    const admin = (await loginAs(provider.t, 'admin', 'adminpass')).access_token
    const deleted = await provider.t.inject({
      method: 'DELETE',
      url: `/admin/clients/${app.client_id}`,
      headers: bearer(admin),
    })
    expect(deleted.statusCode).toBe(204)
    expect((await fetch(userinfoUrl(), { headers: bearer(tokens.access_token) })).status).toBe(401)
    const refreshed = await provider.t.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token!,
      }).toString(),
    })
    expect(refreshed.statusCode).toBe(400)
  })

  it('codes live 60 seconds', async () => {
    const app = await provider.registerApp({})
    const config = await relyingParty(provider, app)
    const request = await authorizationRequest(config)
    const callback = await authorizeInBrowser(new PageClient(provider.t), request.url)
    provider.t.clock.advance(61)
    await expect(exchangeCode(config, callback, request)).rejects.toMatchObject({
      error: 'invalid_grant',
    })
  })
})

describe('RP-initiated logout', () => {
  it('ends the browser session and goes to the registered post-logout URI with state', async () => {
    const app = await provider.registerApp({
      post_logout_redirect_uris: ['https://app.example/bye'],
    })
    const config = await relyingParty(provider, app)
    const { tokens, browser } = await signIn(config)
    const url = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: 'https://app.example/bye',
      state: 'after',
    })
    const res = await browser.get(pathOf(url))
    expect(res.statusCode).toBe(302)
    expect(res.headers.location).toBe('https://app.example/bye?state=after')
    const account = await browser.get('/ui/account')
    expect(account.statusCode).toBe(303)
    expect(String(account.headers.location)).toMatch(/^\/ui\/sign-in/)
  })

  it('asks first when the id_token_hint comes from an earlier browser session (its sid)', async () => {
    const app = await provider.registerApp({
      post_logout_redirect_uris: ['https://app.example/bye'],
    })
    const config = await relyingParty(provider, app)
    const earlier = await signIn(config, undefined, {
      scope: 'openid offline_access',
      prompt: 'consent',
    })
    const oldHint = earlier.tokens.id_token!
    const oldSid = decodeJwt(oldHint)['sid']
    expect(oldSid).toEqual(expect.any(String))
    // A refreshed ID token names the same browser session.
    const refreshed = await client.refreshTokenGrant(config, earlier.tokens.refresh_token!)
    expect(decodeJwt(refreshed.id_token!)['sid']).toBe(oldSid)
    // The same browser signs out and in again: a new browser session.
    const browser = earlier.browser
    await browser.get('/ui/account')
    await browser.post('/ui/sign-out', {})
    const now = await signIn(config, browser)
    const currentHint = now.tokens.id_token!
    expect(decodeJwt(currentHint)['sid']).not.toBe(oldSid)

    const withOld = client.buildEndSessionUrl(config, {
      id_token_hint: oldHint,
      post_logout_redirect_uri: 'https://app.example/bye',
    })
    const asked = await browser.get(pathOf(withOld))
    expect(asked.statusCode).toBe(200)
    expect(textOf(asked.body)).toContain('Team wiki asks to sign you out.')
    expect((await browser.get('/ui/account')).statusCode).toBe(200)

    const withCurrent = client.buildEndSessionUrl(config, {
      id_token_hint: currentHint,
      post_logout_redirect_uri: 'https://app.example/bye',
    })
    const ended = await browser.get(pathOf(withCurrent))
    expect(ended.statusCode).toBe(302)
    expect(ended.headers.location).toBe('https://app.example/bye')
  })

  it('asks first without an id_token_hint, and never redirects to an unregistered URI', async () => {
    const app = await provider.registerApp({
      post_logout_redirect_uris: ['https://app.example/bye'],
    })
    const config = await relyingParty(provider, app)
    const { browser } = await signIn(config)
    const bad = client.buildEndSessionUrl(config, {
      client_id: app.client_id,
      post_logout_redirect_uri: 'https://evil.example/',
    })
    const refused = await browser.get(pathOf(bad))
    expect(refused.statusCode).toBe(400)
    expect(refused.headers.location).toBeUndefined()

    const ask = client.buildEndSessionUrl(config, {
      client_id: app.client_id,
      post_logout_redirect_uri: 'https://app.example/bye',
    })
    const page = await browser.get(pathOf(ask))
    expect(page.statusCode).toBe(200)
    expect(textOf(page.body)).toContain('Team wiki asks to sign you out.')
    // Still signed in until the user confirms.
    expect((await browser.get('/ui/account')).statusCode).toBe(200)
    await browser.get(pathOf(ask))
    const confirmed = await browser.post('/oauth/logout/confirm', hiddenFields(browser.html), {
      csrf: null,
    })
    expect(confirmed.statusCode).toBe(303)
    expect(confirmed.headers.location).toBe('https://app.example/bye')
    expect((await browser.get('/ui/account')).statusCode).toBe(303)
  })
})
