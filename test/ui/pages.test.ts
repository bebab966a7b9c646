import { parseSetCookie } from 'cookie'
import { afterEach, describe, expect, it } from 'vitest'
import { bearer, buildTestApp, json, loginAs, type TestApp } from '../helpers/build-test-app.js'
import { PageClient, textOf } from '../helpers/page-client.js'

let t: TestApp
afterEach(() => t?.close())

async function signedIn(username = 'user1', password = 'password1', settings = {}) {
  t = await buildTestApp({ demo: true, ...settings })
  const browser = new PageClient(t)
  const res = await browser.signIn(username, password)
  expect(res.statusCode, res.body).toBe(303)
  return browser
}

function expectPageHeaders(res: { headers: Record<string, unknown> }, url: string) {
  const csp = String(res.headers['content-security-policy'])
  expect(csp, url).toContain("script-src 'self'")
  expect(csp, url).toContain("frame-ancestors 'none'")
  expect(csp, url).not.toMatch(/unsafe-inline|unsafe-eval/)
  expect(res.headers['referrer-policy'], url).toBe('no-referrer')
  expect(res.headers['cache-control'], url).toBe('no-store')
  expect(res.headers['x-content-type-options'], url).toBe('nosniff')
}

describe('hosted pages: routes and headers', () => {
  it('sends people from / and /ui/ to sign-in, and signed-in people to their account', async () => {
    t = await buildTestApp({ demo: true })
    const browser = new PageClient(t)
    expect((await browser.get('/')).headers.location).toBe('/ui/')
    expect((await browser.get('/ui/')).headers.location).toBe('/ui/sign-in')
    expect((await browser.get('/ui/account')).headers.location).toBe(
      '/ui/sign-in?return_to=%2Fui%2Faccount',
    )
    await browser.signIn('user1', 'password1')
    expect((await browser.get('/ui/')).headers.location).toBe('/ui/account')
    expect((await browser.get('/ui/sign-in')).headers.location).toBe('/ui/account')
  })

  it('puts the strict headers on every page, redirect and error', async () => {
    const browser = await signedIn('admin', 'adminpass')
    const urls = [
      '/ui/account',
      '/ui/admin',
      '/ui/admin/users',
      '/ui/admin/audit',
      '/ui/admin/clients',
      '/ui/admin/keys',
      '/ui/no-such-page',
      '/ui/admin/audit?type=nonsense',
    ]
    for (const url of urls) expectPageHeaders(await browser.get(url), url)
    const signedOut = new PageClient(t)
    for (const url of [
      '/ui/sign-in',
      '/ui/sign-up',
      '/ui/',
      '/ui/account',
      '/ui/forgot-password',
      '/ui/reset-password?token=gthm_x',
      '/ui/reset-password',
      '/ui/verify-email?token=gthm_x',
    ]) {
      expectPageHeaders(await signedOut.get(url), url)
    }
    expectPageHeaders(
      await signedOut.post('/ui/sign-in', { username: 'x', password: 'y' }, { csrf: null }),
      'POST',
    )
  })

  it('serves the stylesheet and script by content hash, cached for a year; unknown assets are 404', async () => {
    t = await buildTestApp({ demo: true, uiAccent: '#0a7d33' })
    const page = await t.inject({ url: '/ui/sign-in' })
    const css = /href="(\/ui\/assets\/app\.[0-9a-f]{16}\.css)"/.exec(page.body)?.[1]
    const js = /src="(\/ui\/assets\/app\.[0-9a-f]{16}\.js)"/.exec(page.body)?.[1]
    expect(css && js).toBeTruthy()
    const style = await t.inject({ url: css! })
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8')
    expect(style.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(style.body).toContain('--accent:#0a7d33')
    const script = await t.inject({ url: js! })
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect((await t.inject({ url: '/ui/assets/app.0000000000000000.css' })).statusCode).toBe(404)
  })

  it('names the product from configuration, and escapes what people typed', async () => {
    t = await buildTestApp({ demo: true, uiName: 'Acme <ID>' })
    const browser = new PageClient(t, { 'user-agent': '<img src=x onerror=alert(1)>' })
    await browser.signIn('user1', 'password1')
    const account = await browser.get('/ui/account')
    expect(account.body).toContain('<title>Your account · Acme &lt;ID></title>')
    expect(account.body).toContain('&lt;img src=x onerror=alert(1)>')
    expect(account.body).not.toContain('<img src=x')
  })

  it('GATEHOUSE_UI=false leaves no page, only the JSON API', async () => {
    t = await buildTestApp({ demo: true, ui: false })
    for (const url of ['/', '/ui/', '/ui/sign-in']) {
      const res = await t.inject({ url })
      expect(res.statusCode, url).toBe(404)
      expect(res.json()).toMatchObject({ error: 'not_found' })
    }
    expect((await loginAs(t, 'user1', 'password1')).access_token).toBeTruthy()
  })
})

describe('browser sessions', () => {
  it('are ordinary sessions in __Host- cookies: HttpOnly, Secure, SameSite=Lax', async () => {
    t = await buildTestApp({ demo: true })
    const browser = new PageClient(t)
    await browser.get('/ui/sign-in')
    const res = await browser.post('/ui/sign-in', { username: 'user1', password: 'password1' })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/ui/account')
    const cookies = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .map((line) => parseSetCookie(line))
    const names = cookies.map((c) => c.name).sort()
    expect(names).toEqual([
      '__Host-gatehouse-access',
      '__Host-gatehouse-csrf',
      '__Host-gatehouse-refresh',
    ])
    for (const cookie of cookies) {
      expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'lax', path: '/' })
      expect(cookie.domain).toBeUndefined()
    }
    // The browser's session is listed by the JSON API, as this session.
    const access = browser.cookies.get('__Host-gatehouse-access')!
    const sessions = await t.inject({ url: '/sessions', headers: bearer(access) })
    expect(sessions.json<{ items: { current: boolean }[] }>().items).toEqual([
      expect.objectContaining({ current: true }),
    ])
  })

  it('drop the prefix and Secure only when GATEHOUSE_COOKIE_SECURE=false', async () => {
    const browser = await signedIn('user1', 'password1', { cookieSecure: false })
    expect([...browser.cookies.keys()].sort()).toEqual([
      'gatehouse-access',
      'gatehouse-csrf',
      'gatehouse-refresh',
    ])
  })

  it('refresh when the access token expires, and end with every logout scope', async () => {
    for (const scope of ['local', 'global', 'others'] as const) {
      const browser = await signedIn()
      const first = browser.cookies.get('__Host-gatehouse-refresh')
      t.clock.advance(16 * 60)
      expect((await browser.get('/ui/account')).statusCode).toBe(200)
      expect(browser.cookies.get('__Host-gatehouse-refresh')).not.toBe(first)

      const api = await loginAs(t, 'user1', 'password1')
      const access =
        scope === 'others' ? api.access_token : browser.cookies.get('__Host-gatehouse-access')!
      const logout = await t.inject({
        method: 'POST',
        url: '/logout',
        ...json({ scope }, bearer(access)),
      })
      expect(logout.statusCode).toBe(200)
      const after = await browser.get('/ui/account')
      expect(after.statusCode, scope).toBe(303)
      expect(after.headers.location).toBe('/ui/sign-in?return_to=%2Fui%2Faccount')
      expect(browser.cookies.has('__Host-gatehouse-refresh')).toBe(false)
      await t.close()
    }
  })

  it('sign out ends the session: its refresh token is refused afterwards', async () => {
    const browser = await signedIn()
    const refreshToken = browser.cookies.get('__Host-gatehouse-refresh')!
    await browser.get('/ui/account')
    const res = await browser.post('/ui/sign-out', {})
    expect(res.headers.location).toBe('/ui/sign-in?done=signed_out')
    const refused = await t.inject({
      method: 'POST',
      url: '/refresh',
      ...json({ refresh_token: refreshToken }),
    })
    expect(refused.statusCode).toBe(401)
  })
})

describe('sign-in and sign-up', () => {
  it('says the same for an unknown user and a wrong password, and keeps the username', async () => {
    t = await buildTestApp({ demo: true })
    const browser = new PageClient(t)
    const answers = []
    for (const username of ['user1', 'nobody']) {
      await browser.get('/ui/sign-in')
      const res = await browser.post('/ui/sign-in', { username, password: 'wrong password' })
      expect(res.statusCode).toBe(401)
      expect(res.body).toContain(`value="${username}"`)
      answers.push(textOf(/<div class="alert"[^>]*>(.*?)<\/div>/.exec(res.body)?.[1] ?? ''))
    }
    expect(answers).toEqual(['Bad username or password', 'Bad username or password'])
    expect(browser.cookies.has('__Host-gatehouse-access')).toBe(false)
  })

  it('counts toward the login lockout and the per-IP limit, answering 429 with Retry-After', async () => {
    t = await buildTestApp({ demo: true })
    const browser = new PageClient(t)
    for (let i = 0; i < 5; i++) {
      await browser.get('/ui/sign-in')
      await browser.post('/ui/sign-in', { username: 'user1', password: `wrong-${i}` })
    }
    await browser.get('/ui/sign-in')
    const locked = await browser.post('/ui/sign-in', { username: 'user1', password: 'password1' })
    expect(locked.statusCode).toBe(429)
    expect(locked.headers['retry-after']).toBe('1')
    expect(textOf(locked.body)).toMatch(/failed logins/)
    // … and the JSON API sees the same lockout.
    const api = await t.inject({
      method: 'POST',
      url: '/login',
      ...json({ username: 'user1', password: 'password1' }),
    })
    expect(api.statusCode).toBe(429)
    await t.close()

    t = await buildTestApp({ demo: true, ipLimitPerMinute: 2 })
    const other = new PageClient(t)
    await other.get('/ui/sign-in')
    const csrf = other.csrf()
    await other.post('/ui/sign-in', { username: 'user1', password: 'x' }, { csrf })
    await other.post('/ui/sign-in', { username: 'user1', password: 'x' }, { csrf })
    const limited = await other.post(
      '/ui/sign-in',
      { username: 'user1', password: 'password1' },
      { csrf },
    )
    expect(limited.statusCode).toBe(429)
    expect(limited.headers['retry-after']).toMatch(/^\d+$/)
    expect(limited.headers['content-type']).toMatch(/^text\/html/)
  })

  it('creates an account and signs it in; a taken name or weak password is shown at its field', async () => {
    t = await buildTestApp({ demo: true })
    const browser = new PageClient(t)
    await browser.get('/ui/sign-up')
    const taken = await browser.post('/ui/sign-up', {
      username: 'user1',
      password: 'a long enough passphrase',
    })
    expect(taken.statusCode).toBe(400)
    expect(taken.body).toMatch(/<input id="field-username"[^>]*aria-invalid="true"[^>]*autofocus/)
    expect(taken.body).toContain('id="field-username-error" role="alert"')
    const weak = await browser.post('/ui/sign-up', { username: 'carol', password: 'password' })
    expect(weak.statusCode).toBe(400)
    expect(weak.body).toContain('id="field-password-error" role="alert"')
    const created = await browser.post('/ui/sign-up', {
      username: 'carol',
      password: 'a long enough passphrase',
    })
    expect(created.headers.location).toBe('/ui/account?done=created')
    const account = await browser.get('/ui/account?done=created')
    expect(textOf(account.body)).toContain('Your account was created')
    expect((await loginAs(t, 'carol', 'a long enough passphrase')).access_token).toBeTruthy()
  })

  it('takes an optional email at sign-up, shown on the account page; one someone else typed is taken like a free one', async () => {
    t = await buildTestApp({ demo: true })
    const browser = new PageClient(t)
    await browser.get('/ui/sign-up')
    const created = await browser.post('/ui/sign-up', {
      username: 'ivy',
      password: 'a long enough passphrase',
      email: 'Ivy@Example.com',
    })
    expect(created.headers.location).toBe('/ui/account?done=created')
    expect(textOf((await browser.get('/ui/account')).body)).toContain(
      'Email Ivy@Example.com not verified',
    )
    // An unverified address reserves nothing: the page says nothing of who else typed it.
    const other = new PageClient(t)
    await other.get('/ui/sign-up')
    const again = await other.post('/ui/sign-up', {
      username: 'ivy2',
      password: 'a long enough passphrase',
      email: 'ivy@example.com',
    })
    expect(again.statusCode).toBe(303)
    expect(again.headers.location).toBe('/ui/account?done=created')
    const none = new PageClient(t)
    await none.get('/ui/sign-up')
    const without = await none.post('/ui/sign-up', {
      username: 'ivy3',
      password: 'a long enough passphrase',
      email: '',
    })
    expect(without.statusCode).toBe(303)
  })

  it('goes back only to same-origin paths after signing in', async () => {
    t = await buildTestApp({ demo: true })
    const cases: [string, string][] = [
      ['/ui/admin/keys?x=1', '/ui/admin/keys?x=1'],
      ['https://evil.example/', '/ui/account'],
      ['//evil.example', '/ui/account'],
      ['/\\evil.example', '/ui/account'],
      ['/%0d%0aSet-Cookie:x=1', '/%0d%0aSet-Cookie:x=1'],
      ['javascript:alert(1)', '/ui/account'],
      ['\t//evil.example', '/ui/account'],
      // Paths that only become another host once normalised (/.// → //).
      ['/.//evil.example/phish', '/ui/account'],
      ['/ui/..//evil.example', '/ui/account'],
      ['/%2e//evil.example', '/ui/account'],
      ['/%2E%2E//evil.example', '/ui/account'],
      ['/ui/./account', '/ui/account'],
    ]
    for (const [returnTo, expected] of cases) {
      const browser = new PageClient(t)
      const query = `?return_to=${encodeURIComponent(returnTo)}`
      await browser.get(`/ui/sign-in${query}`)
      const res = await browser.post(`/ui/sign-in${query}`, {
        username: 'user1',
        password: 'password1',
      })
      expect(res.headers.location, returnTo).toBe(expected)
      // A browser already signed in is sent on at once: the same check.
      const again = await browser.get(`/ui/sign-in${query}`)
      expect(again.headers.location, returnTo).toBe(expected)
    }
  })
})

describe('forms are protected against cross-site requests', () => {
  it('refuses a form without its token, with another browser’s token, or from another origin, changing nothing', async () => {
    const browser = await signedIn()
    await browser.get('/ui/account')
    const csrf = browser.csrf()
    const change = {
      username: 'user1',
      current_password: 'password1',
      new_password: 'a brand new passphrase',
    }
    const attempts = [
      await browser.post('/ui/account/password', change, { csrf: null }),
      await browser.post('/ui/account/password', change, { csrf: 'forged' }),
      await browser.post('/ui/account/password', change, {
        csrf,
        headers: { origin: 'https://evil.example' },
      }),
      await browser.post('/ui/account/password', change, {
        csrf,
        headers: { 'sec-fetch-site': 'cross-site' },
      }),
      await browser.post('/ui/account/password', change, {
        csrf,
        headers: { 'sec-fetch-site': 'same-site' },
      }),
    ]
    const other = new PageClient(t)
    await other.get('/ui/sign-in')
    attempts.push(await browser.post('/ui/account/password', change, { csrf: other.csrf() }))
    for (const res of attempts) {
      expect(res.statusCode).toBe(403)
      expect(textOf(res.body)).toContain('This form expired or came from another site')
    }
    expect((await loginAs(t, 'user1', 'password1')).access_token).toBeTruthy()
    // The same form with its token goes through.
    await browser.get('/ui/account')
    expect((await browser.post('/ui/account/password', change)).headers.location).toBe(
      '/ui/account?done=password_changed',
    )
  })

  it('refuses a sign-in form without a token, so nobody can sign a browser into their account', async () => {
    t = await buildTestApp({ demo: true })
    const browser = new PageClient(t)
    const res = await browser.post(
      '/ui/sign-in',
      { username: 'user1', password: 'password1' },
      { csrf: null },
    )
    expect(res.statusCode).toBe(403)
    expect(browser.cookies.has('__Host-gatehouse-access')).toBe(false)
  })

  it('answers malformed forms with a 400 page, never a 500', async () => {
    const browser = await signedIn()
    await browser.get('/ui/account')
    const csrf = browser.csrf()
    for (const [url, fields] of [
      ['/ui/account/password', { current_password: 'x' }],
      ['/ui/account/api-keys', { name: 'k', scopes: '', expires: 'forever' }],
      ['/ui/sign-out', { surprise: '1' }],
      ['/ui/account/email', { email: 'x'.repeat(2000) }],
      ['/ui/forgot-password', {}],
      ['/ui/reset-password', { token: 'gthm_x' }],
      ['/ui/reset-password', { token: 'gthm_x', new_password: 'a fine passphrase', more: '1' }],
    ] as const) {
      const res = await browser.post(url, fields, { csrf })
      expect(res.statusCode, url).toBe(400)
      expect(res.headers['content-type']).toMatch(/^text\/html/)
    }
  })
})

describe('forgot and reset password pages', () => {
  it('answer every address alike, refuse a bad one at its field, and need the form token', async () => {
    t = await buildTestApp({ demo: true })
    const browser = new PageClient(t)
    await browser.get('/ui/sign-in')
    expect(textOf(browser.html)).toContain('Forgot your password?')
    await browser.get('/ui/forgot-password')
    const refused = await browser.post(
      '/ui/forgot-password',
      { email: 'a@example.com' },
      { csrf: null },
    )
    expect(refused.statusCode).toBe(403)
    await browser.get('/ui/forgot-password')
    const bad = await browser.post('/ui/forgot-password', { email: 'not an address' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('id="field-email-error"')
    for (const email of ['nobody@example.com', 'someone@example.com']) {
      await browser.get('/ui/forgot-password')
      const sent = await browser.post('/ui/forgot-password', { email })
      expect(sent.headers.location).toBe('/ui/forgot-password?done=sent')
    }
    const page = await browser.get('/ui/forgot-password?done=sent')
    expect(textOf(page.body)).toContain('If the address belongs to an account')
  })

  it('show the error page for a link that is not (or no longer) valid, and spend nothing on GET', async () => {
    t = await buildTestApp({ demo: true })
    const browser = new PageClient(t)
    const token = `gthm_${'A'.repeat(43)}`
    const opened = await browser.get(`/ui/reset-password?token=${token}`)
    expect(opened.statusCode).toBe(200)
    expect(opened.body).toContain(`value="${token}"`)
    const spent = await browser.post('/ui/reset-password', {
      token,
      new_password: 'a perfectly fine passphrase',
    })
    expect(spent.statusCode).toBe(400)
    expect(textOf(spent.body)).toContain('This link is invalid, expired or already used')
    expect((await browser.get('/ui/reset-password')).statusCode).toBe(400)
  })
})

describe('account page', () => {
  it('ends another session (its refresh token is then refused) and shows this one marked', async () => {
    const browser = await signedIn()
    const phone = await loginAs(t, 'user1', 'password1')
    const page = await browser.get('/ui/account')
    expect(page.body.match(/data-session=/g)).toHaveLength(2)
    expect(textOf(page.body)).toContain('this session')
    const ids = [...page.body.matchAll(/data-session="([^"]+)"/g)].map((m) => m[1]!)
    const sessions = await t.inject({ url: '/sessions', headers: bearer(phone.access_token) })
    const phoneSession = sessions
      .json<{ items: { id: string; current: boolean }[] }>()
      .items.find((s) => s.current)!
    expect(ids).toContain(phoneSession.id)
    const ended = await browser.post('/ui/account/sessions/end', { id: phoneSession.id })
    expect(ended.headers.location).toBe('/ui/account?done=session_ended')
    const refused = await t.inject({
      method: 'POST',
      url: '/refresh',
      ...json({ refresh_token: phone.refresh_token }),
    })
    expect(refused.statusCode).toBe(401)
    expect((await browser.get('/ui/account')).body.match(/data-session=/g)).toHaveLength(1)
  })

  it('changes the password: the old one then fails at /login', async () => {
    const browser = await signedIn()
    await browser.get('/ui/account')
    const wrong = await browser.post('/ui/account/password', {
      username: 'user1',
      current_password: 'not it',
      new_password: 'a brand new passphrase',
    })
    expect(wrong.statusCode).toBe(403)
    expect(wrong.body).toContain('id="field-current_password-error" role="alert"')
    const res = await browser.post('/ui/account/password', {
      username: 'user1',
      current_password: 'password1',
      new_password: 'a brand new passphrase',
    })
    expect(res.headers.location).toBe('/ui/account?done=password_changed')
    const old = await t.inject({
      method: 'POST',
      url: '/login',
      ...json({ username: 'user1', password: 'password1' }),
    })
    expect(old.statusCode).toBe(401)
    expect((await loginAs(t, 'user1', 'a brand new passphrase')).access_token).toBeTruthy()
  })

  it('changing the password revokes the API keys when the box is ticked (it is, at first)', async () => {
    const browser = await signedIn()
    const page = await browser.get('/ui/account')
    expect(page.body).toMatch(/<input type="checkbox" name="revoke_api_keys" value="on" checked/)
    const own = (await loginAs(t, 'user1', 'password1')).access_token
    const key = await t.inject({
      method: 'POST',
      url: '/api-keys',
      ...json({ name: 'ci' }, bearer(own)),
    })
    const secret = key.json<{ key: string }>().key
    const change = (current: string, next: string, tick: boolean) =>
      browser.post('/ui/account/password', {
        username: 'user1',
        current_password: current,
        new_password: next,
        ...(tick && { revoke_api_keys: 'on' }),
      })
    // Unticked: the key stays.
    await browser.get('/ui/account')
    await change('password1', 'a brand new passphrase', false)
    expect((await t.inject({ url: '/protected', headers: bearer(secret) })).statusCode).toBe(200)
    await browser.get('/ui/account')
    await change('a brand new passphrase', 'yet another passphrase', true)
    expect((await t.inject({ url: '/protected', headers: bearer(secret) })).statusCode).toBe(401)
  })

  it('names every input of the account page for assistive technology', async () => {
    const browser = await signedIn()
    const { body } = await browser.get('/ui/account')
    // Inputs wrapped in their label are named by it; the rest need label[for] or aria-label.
    const outside = body.replace(/<label[^>]*>[\s\S]*?<\/label>/g, '')
    const unnamed = [...outside.matchAll(/<input\b[^>]*>/g)]
      .map((match) => match[0])
      .filter((input) => !/type="(hidden|submit)"/.test(input))
      .filter((input) => {
        if (/aria-label="[^"]+"/.test(input)) return false
        const id = /\bid="([^"]+)"/.exec(input)?.[1]
        return id === undefined || !body.includes(`for="${id}"`)
      })
    expect(unnamed).toEqual([])
  })

  it('shows a new API key once; it works until revoked', async () => {
    const browser = await signedIn()
    await browser.get('/ui/account')
    const created = await browser.post('/ui/account/api-keys', {
      name: 'ci',
      scopes: '',
      expires: '30',
    })
    expect(created.statusCode).toBe(201)
    const key = /<code data-copy[^>]*>([^<]+)<\/code>/.exec(created.body)?.[1]
    expect(key).toMatch(/^gthk_/)
    expect((await t.inject({ url: '/protected', headers: bearer(key!) })).statusCode).toBe(200)
    const again = await browser.get('/ui/account')
    expect(again.body).not.toContain(key!)
    const id = /data-api-key="([^"]+)"/.exec(again.body)?.[1]
    expect((await browser.post('/ui/account/api-keys/revoke', { id: id! })).headers.location).toBe(
      '/ui/account?done=key_revoked',
    )
    expect((await t.inject({ url: '/protected', headers: bearer(key!) })).statusCode).toBe(401)
  })

  it('sends a stale sign-in to sign in again before creating a credential', async () => {
    const browser = await signedIn()
    t.clock.advance(16 * 60)
    await browser.get('/ui/account')
    const res = await browser.post('/ui/account/api-keys', {
      name: 'ci',
      scopes: '',
      expires: 'never',
    })
    expect(res.headers.location).toBe('/ui/sign-in?return_to=%2Fui%2Faccount&done=reauthenticate')
    const page = await browser.get(res.headers.location as string)
    expect(page.statusCode).toBe(200)
    expect(textOf(page.body)).toContain('Please sign in again to continue')
    const again = await browser.post('/ui/sign-in?return_to=%2Fui%2Faccount', {
      username: 'user1',
      password: 'password1',
    })
    expect(again.headers.location).toBe('/ui/account')
    // The stale session was replaced, not left open.
    expect((await browser.get('/ui/account')).body.match(/data-session=/g)).toHaveLength(1)
  })
})

describe('admin console', () => {
  it('is for admins only', async () => {
    const browser = await signedIn()
    for (const url of ['/ui/admin', '/ui/admin/users', '/ui/admin/keys']) {
      const res = await browser.get(url)
      expect(res.statusCode, url).toBe(403)
      expect(textOf(res.body)).toContain('This page is for administrators')
    }
    await browser.get('/ui/account')
    expect((await browser.post('/ui/admin/keys/rotate', {})).statusCode).toBe(403)
  })

  it('disables a user (their /login says user_disabled), enables, sets roles, creates and deletes', async () => {
    const browser = await signedIn('admin', 'adminpass')
    const users = await browser.get('/ui/admin/users?q=user')
    expect(users.body.match(/data-user=/g)).toHaveLength(2)
    const id = (await t.core.store.users.findByUsernameKey('user2'))!.id
    expect((await browser.post('/ui/admin/users/disable', { id })).headers.location).toBe(
      '/ui/admin/users?done=user_updated',
    )
    const disabled = await t.inject({
      method: 'POST',
      url: '/login',
      ...json({ username: 'user2', password: 'password2' }),
    })
    expect(disabled.json()).toMatchObject({ error: 'user_disabled' })
    await browser.get('/ui/admin/users')
    await browser.post('/ui/admin/users/enable', { id })
    await browser.post('/ui/admin/users/roles', { id, roles: 'editor auditor' })
    expect((await t.core.store.users.findById(id))?.roles).toEqual(['editor', 'auditor'])
    const created = await browser.post('/ui/admin/users/create', {
      username: 'dave',
      password: 'a long enough passphrase',
      roles: '',
    })
    expect(created.headers.location).toBe('/ui/admin/users?done=user_created')
    const dave = (await t.core.store.users.findByUsernameKey('dave'))!
    await browser.get('/ui/admin/users')
    await browser.post('/ui/admin/users/delete', { id: dave.id })
    expect(await t.core.store.users.findById(dave.id)).toBeUndefined()
  })

  it('pages through users and filters the audit log', async () => {
    const browser = await signedIn('admin', 'adminpass')
    for (let i = 0; i < 55; i++) {
      await t.core.store.users.insert({
        id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
        username: `bulk${i}`,
        usernameKey: `bulk${i}`,
        passwordHash: 'x',
        roles: [],
        disabled: false,
        createdAt: i,
        updatedAt: i,
        email: null,
        emailKey: null,
        emailVerifiedAt: null,
      })
    }
    const first = await browser.get('/ui/admin/users?q=bulk')
    expect(first.body.match(/data-user=/g)).toHaveLength(50)
    const next = /href="(\/ui\/admin\/users\?q=bulk&amp;cursor=[^"]+)"/.exec(first.body)?.[1]
    const second = await browser.get(next!.replace(/&amp;/g, '&'))
    expect(second.body.match(/data-user=/g)).toHaveLength(5)
    for (const url of ['/ui/admin/users?cursor=%25%25', '/ui/admin/audit?type=nonsense']) {
      const bad = await browser.get(url)
      expect(bad.statusCode, url).toBe(400)
      expect(bad.headers['content-type']).toMatch(/^text\/html/)
    }
    const audit = await browser.get('/ui/admin/audit?type=login_success')
    expect(audit.body.match(/data-event="login_success"/g)?.length).toBeGreaterThan(0)
    expect(audit.body).not.toContain('data-event="user_created"')
  })

  it('creates an OAuth client whose secret, shown once, works for client_credentials; deletes it', async () => {
    const browser = await signedIn('admin', 'adminpass')
    await browser.get('/ui/admin/clients')
    const created = await browser.post('/ui/admin/clients/create', {
      name: 'billing',
      scopes: 'data:read',
    })
    expect(created.statusCode).toBe(201)
    const clientId = /<code data-client-id[^>]*>([^<]+)<\/code>/.exec(created.body)?.[1]
    const secret = /<code data-copy[^>]*>([^<]+)<\/code>/.exec(created.body)?.[1]
    const token = await t.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId!,
        client_secret: secret!,
      }).toString(),
    })
    expect(token.statusCode, `${clientId} ${secret} ${token.body}`).toBe(200)
    expect((await browser.get('/ui/admin/clients')).body).not.toContain(secret!)
    await browser.post('/ui/admin/clients/delete', { id: clientId! })
    expect((await browser.get('/ui/admin/clients')).body).not.toContain(clientId!)
  })

  it('creates apps: a web app with a secret, a public one without, each with its redirect URIs', async () => {
    const browser = await signedIn('admin', 'adminpass')
    await browser.get('/ui/admin/clients')
    const web = await browser.post('/ui/admin/clients/create', {
      name: 'wiki',
      scopes: 'openid profile',
      kind: 'web_post',
      redirect_uris: 'https://wiki.example/callback https://wiki.example/cb2',
      post_logout_redirect_uris: 'https://wiki.example/',
      id_token_alg: 'ES256',
      skip_consent: 'on',
    })
    expect(web.statusCode, web.body).toBe(201)
    expect(web.body).toMatch(/<code data-copy[^>]*>gthc_/)
    await browser.get('/ui/admin/clients')
    const spa = await browser.post('/ui/admin/clients/create', {
      name: 'dashboard',
      scopes: 'openid',
      kind: 'public',
      redirect_uris: 'https://dash.example/callback',
    })
    expect(spa.statusCode).toBe(201)
    expect(spa.body).not.toMatch(/gthc_/)
    expect(textOf(spa.body)).toContain('A public client has no secret')
    const admin = (await loginAs(t, 'admin', 'adminpass')).access_token
    const listed = (
      await t.inject({ url: '/admin/clients', headers: { authorization: `Bearer ${admin}` } })
    ).json<{ items: Record<string, unknown>[] }>().items
    expect(listed.find((c) => c['name'] === 'wiki')).toMatchObject({
      redirect_uris: ['https://wiki.example/callback', 'https://wiki.example/cb2'],
      post_logout_redirect_uris: ['https://wiki.example/'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_post',
      skip_consent: true,
      id_token_signed_response_alg: 'ES256',
    })
    expect(listed.find((c) => c['name'] === 'dashboard')).toMatchObject({
      token_endpoint_auth_method: 'none',
      skip_consent: false,
    })
    // A redirect URI that is no URI is the form's error, not a client.
    await browser.get('/ui/admin/clients')
    const bad = await browser.post('/ui/admin/clients/create', {
      name: 'bad',
      scopes: 'openid',
      kind: 'web',
      redirect_uris: 'javascript:alert(1)',
    })
    expect(bad.statusCode).toBe(400)
    expect(textOf(bad.body)).toContain('redirect_uris')
  })

  it('rotates the signing keys: the JWKS changes', async () => {
    const browser = await signedIn('admin', 'adminpass')
    const before = (await t.inject({ url: '/.well-known/jwks.json' })).json<{
      keys: { kid: string }[]
    }>()
    await browser.get('/ui/admin/keys')
    const res = await browser.post('/ui/admin/keys/rotate', {})
    expect(res.headers.location).toBe('/ui/admin/keys?done=rotated')
    const after = (await t.inject({ url: '/.well-known/jwks.json' })).json<{
      keys: { kid: string }[]
    }>()
    expect(after.keys.map((k) => k.kid)).not.toEqual(before.keys.map((k) => k.kid))
    const page = await browser.get('/ui/admin/keys?done=rotated')
    for (const key of after.keys) expect(page.body).toContain(key.kid)
  })
})
