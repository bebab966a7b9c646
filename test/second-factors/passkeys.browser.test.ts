import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { decodeJwt } from 'jose'
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, buildTestApp, json, loginAs, type TestApp } from '../helpers/build-test-app.js'
import { chromiumAvailable, freePort, launchChromium } from '../helpers/browser.js'

// Passkeys made and used by Chromium's virtual authenticator (DevTools WebAuthn domain),
// against a listening Gatehouse on http://localhost (WebAuthn needs a domain, not an IP).

const run = chromiumAvailable()
const require = createRequire(import.meta.url)
const BROWSER_LIB = readFileSync(
  join(dirname(require.resolve('@simplewebauthn/browser')), '../dist/bundle/index.umd.min.js'),
  'utf8',
)

let t: TestApp
let base: string
let browser: Browser
let context: BrowserContext
let page: Page
let cdp: CDPSession
let authenticatorId: string

beforeAll(async () => {
  if (!run) return
  const port = await freePort()
  base = `http://localhost:${port}`
  t = await buildTestApp({ demo: true, issuer: base })
  await t.app.listen({ host: '127.0.0.1', port })
  browser = await launchChromium()
  context = await browser.newContext()
  page = await context.newPage()
  await page.goto(`${base}/ui/sign-in`)
  // DevTools evaluation is not bound by the page's CSP: the library the pages use.
  await page.evaluate(BROWSER_LIB)
  ;({ session: cdp, id: authenticatorId } = await addAuthenticator(page))
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await t?.close()
})

type Json = Record<string, unknown>

async function api(path: string, body?: unknown, token?: string) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body ?? {}),
  })
  return { status: res.status, body: (await res.json()) as Json }
}

const login = async (username: string, password: string) =>
  (await api('/login', { username, password })).body

/**
 * A platform authenticator that verifies the user (PIN or biometrics, simulated) for the
 * tab; returns its id.
 */
async function addAuthenticator(tab: Page): Promise<{ session: CDPSession; id: string }> {
  const session = await context.newCDPSession(tab)
  await session.send('WebAuthn.enable')
  const added = await session.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  })
  return { session, id: added.authenticatorId }
}

type Ceremony = 'startRegistration' | 'startAuthentication'

/** The authenticator answers WebAuthn options, through the library the pages use. */
const ceremony = (run: Ceremony, options: unknown, tab: Page = page) =>
  tab.evaluate(
    ({ run, optionsJSON }) =>
      (
        window as unknown as {
          SimpleWebAuthnBrowser: Record<Ceremony, (o: { optionsJSON: unknown }) => Promise<Json>>
        }
      ).SimpleWebAuthnBrowser[run]({ optionsJSON }),
    { run, optionsJSON: options },
  )
/** Creation options, as startRegistration does on a page. */
const create = (options: unknown) => ceremony('startRegistration', options)
/** Request options, as startAuthentication does on a page. */
const get = (options: unknown) => ceremony('startAuthentication', options)

const amrOf = (token: unknown) => decodeJwt(String(token))['amr']

/** Registers a passkey for the user with a fresh password login; returns the answer. */
async function registerPasskey(username: string, password: string, name: string) {
  const access = String((await login(username, password))['access_token'])
  const options = await api('/me/passkeys/options', {}, access)
  expect(options.status).toBe(200)
  const response = await create(options.body['options'])
  return api('/me/passkeys', { flow_id: options.body['flow_id'], response, name }, access)
}

describe.runIf(run)('passkeys in Chromium', { timeout: 120_000 }, () => {
  it('registers passkeys, signs in with one and no username, and serves as a second factor', async () => {
    const first = await registerPasskey('user1', 'password1', 'Laptop')
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ type: 'passkey', name: 'Laptop' })
    expect(first.body['recovery_codes']).toHaveLength(10)

    // Usernameless: the authenticator picks the discoverable credential.
    const options = await api('/login/passkey/options')
    const assertion = await get(options.body['options'])
    const signedIn = await api('/login/passkey', {
      flow_id: options.body['flow_id'],
      response: assertion,
    })
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200)
    expect(amrOf(signedIn.body['access_token'])).toEqual(['hwk', 'user', 'mfa'])

    // Now the password alone is not enough; the passkey finishes the login.
    const step = await api('/login', { username: 'user1', password: 'password1' })
    expect(step.status).toBe(401)
    expect(step.body['factors']).toEqual([
      expect.objectContaining({ type: 'passkey', name: 'Laptop' }),
    ])
    const mfaToken = step.body['mfa_token']
    const second = await api('/login/mfa/passkey/options', { mfa_token: mfaToken })
    const answer = await get(second.body['options'])
    const done = await api('/login/mfa', {
      mfa_token: mfaToken,
      passkey: { flow_id: second.body['flow_id'], response: answer },
    })
    expect(done.status, JSON.stringify(done.body)).toBe(200)
    expect(amrOf(done.body['access_token'])).toEqual(['pwd', 'hwk', 'mfa'])

    // A second passkey needs a login that passed a factor (this one did).
    const strong = String(done.body['access_token'])
    const more = await api('/me/passkeys/options', {}, strong)
    expect(more.status).toBe(200)
    const list = await fetch(`${base}/me/mfa`, { headers: { authorization: `Bearer ${strong}` } })
    const factors = ((await list.json()) as { factors: Json[] }).factors
    expect(factors.map((f) => f['type'])).toEqual(['passkey'])
  })

  it('refuses forged and replayed assertions', async () => {
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId })
    const credential = credentials[0]!
    const key = createPrivateKey({
      key: Buffer.from(credential.privateKey, 'base64'),
      format: 'der',
      type: 'pkcs8',
    })
    const fresh = async () => {
      const options = await api('/login/passkey/options')
      const assertion = (await get(options.body['options'])) as Json & { response: Json }
      return { flowId: options.body['flow_id'], assertion }
    }
    const submit = (flowId: unknown, response: unknown) =>
      api('/login/passkey', { flow_id: flowId, response })

    // Replayed: the same answer again, and the same answer to a new challenge.
    const genuine = await fresh()
    expect((await submit(genuine.flowId, genuine.assertion)).status).toBe(200)
    // A spent ceremony is a stale request (400); an answer to another challenge is a
    // refused credential (401, like a wrong password).
    const replay = await submit(genuine.flowId, genuine.assertion)
    expect(replay.status).toBe(400)
    expect(replay.body).toMatchObject({ error: 'passkey_flow_expired' })
    const newFlow = await api('/login/passkey/options')
    const otherChallenge = await submit(newFlow.body['flow_id'], genuine.assertion)
    expect(otherChallenge.status).toBe(401)
    expect(otherChallenge.body).toMatchObject({ error: 'invalid_passkey' })

    // Re-signed with the credential's own key, so only the forged part can fail.
    const forged = async (change: {
      origin?: string
      rpId?: string
      counter?: number
      signer?: KeyObject
    }) => {
      const { flowId, assertion } = await fresh()
      const response = assertion.response
      const clientData = JSON.parse(
        Buffer.from(String(response['clientDataJSON']), 'base64url').toString(),
      ) as Json
      if (change.origin) clientData['origin'] = change.origin
      const clientDataJSON = Buffer.from(JSON.stringify(clientData))
      const authData = Buffer.from(String(response['authenticatorData']), 'base64url')
      if (change.rpId) createHash('sha256').update(change.rpId).digest().copy(authData, 0)
      if (change.counter !== undefined) authData.writeUInt32BE(change.counter, 33)
      const signed = Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()])
      const signer = change.signer ?? key
      // Ed25519 (COSE -8, which Chromium offers first) signs without a separate digest.
      const signature = sign(
        signer.asymmetricKeyType === 'ed25519' ? null : 'sha256',
        signed,
        signer,
      )
      return submit(flowId, {
        ...assertion,
        response: {
          ...response,
          clientDataJSON: clientDataJSON.toString('base64url'),
          authenticatorData: authData.toString('base64url'),
          signature: signature.toString('base64url'),
        },
      })
    }
    // The forging itself is sound: an unchanged re-signed answer goes through.
    expect((await forged({})).status).toBe(200)
    const other =
      key.asymmetricKeyType === 'ed25519'
        ? generateKeyPairSync('ed25519').privateKey
        : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    for (const [why, change] of [
      ['another origin', { origin: 'https://evil.example' }],
      ['another RP ID', { rpId: 'evil.example' }],
      ['another key', { signer: other }],
      ['a counter that went back (a cloned authenticator)', { counter: 1 }],
    ] as const) {
      const res = await forged(change)
      expect(res.status, why).toBe(401)
      expect(res.body, why).toMatchObject({ error: 'invalid_passkey' })
    }
  })

  it('on the pages: add a passkey, sign in with it alone, and finish a password sign-in with it', async () => {
    const tab = await context.newPage()
    const problems: string[] = []
    tab.on('pageerror', (error) => problems.push(error.message))
    tab.on('console', (message) => {
      if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) {
        problems.push(message.text())
      }
    })
    await addAuthenticator(tab)
    const signInWithPassword = async () => {
      await tab.goto(`${base}/ui/sign-in`)
      await tab.getByLabel('Username').fill('user2')
      await tab.getByLabel('Password', { exact: true }).fill('password2')
      await tab.getByRole('button', { name: 'Sign in', exact: true }).click()
    }
    await signInWithPassword()
    await tab.waitForURL(`${base}/ui/account`)
    await tab.getByLabel('Name of the passkey').fill('Work laptop')
    await tab.getByRole('button', { name: 'Add a passkey' }).click()
    await tab.getByRole('heading', { name: 'Your recovery codes' }).waitFor()
    expect(await tab.locator('main').textContent()).toContain('Work laptop')
    await tab.getByRole('button', { name: 'Sign out' }).click()

    await tab.waitForURL(/sign-in/)
    await tab.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await tab.waitForURL(`${base}/ui/account`)
    await tab.getByRole('button', { name: 'Sign out' }).click()

    await tab.waitForURL(/sign-in/)
    await signInWithPassword()
    await tab.getByRole('heading', { name: 'Enter your code' }).waitFor()
    await tab.getByRole('button', { name: 'Use a passkey instead' }).click()
    await tab.waitForURL(`${base}/ui/account`)
    expect(problems).toEqual([])
    await tab.close()
  })

  it('a passkey signs in only under the rules of a password: an unverified address is refused when verification is required', async () => {
    // Its own server, with GATEHOUSE_EMAIL_VERIFICATION=required, and its own authenticator.
    const port = await freePort()
    const origin = `http://localhost:${port}`
    const strict = await buildTestApp({ demo: true, issuer: origin, emailVerification: 'required' })
    await strict.app.listen({ host: '127.0.0.1', port })
    const tab = await context.newPage()
    try {
      await tab.goto(`${origin}/ui/sign-in`)
      await tab.evaluate(BROWSER_LIB)
      await addAuthenticator(tab)
      const run = (name: Ceremony, options: unknown) => ceremony(name, options, tab)
      const post = async (path: string, body: unknown, token?: string) => {
        const res = await fetch(`${origin}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token && { authorization: `Bearer ${token}` }),
          },
          body: JSON.stringify(body),
        })
        return { status: res.status, body: (await res.json()) as Json }
      }
      // user1 (no address: trusted as created) adds a passkey…
      const access = (await loginAs(strict, 'user1', 'password1')).access_token
      const options = await post('/me/passkeys/options', {}, access)
      const created = await run('startRegistration', options.body['options'])
      const added = await post(
        '/me/passkeys',
        { flow_id: options.body['flow_id'], response: created },
        access,
      )
      expect(added.status).toBe(201)
      const signIn = async () => {
        const start = await post('/login/passkey/options', {})
        const answer = await run('startAuthentication', start.body['options'])
        return post('/login/passkey', { flow_id: start.body['flow_id'], response: answer })
      }
      expect((await signIn()).status).toBe(200)

      // …then gets an address that is not verified yet.
      const admin = (await loginAs(strict, 'admin', 'adminpass')).access_token
      const id = String(decodeJwt(access).sub)
      const patched = await strict.inject({
        method: 'PATCH',
        url: `/admin/users/${id}`,
        ...json({ email: 'user1@example.com', email_verified: false }, bearer(admin)),
      })
      expect(patched.statusCode, patched.body).toBe(200)

      // The password and the passkey are refused alike, and no session opens.
      const byPassword = await post('/login', { username: 'user1', password: 'password1' })
      expect(byPassword).toMatchObject({ status: 403, body: { error: 'email_not_verified' } })
      const byPasskey = await signIn()
      expect(byPasskey).toMatchObject({ status: 403, body: { error: 'email_not_verified' } })
      expect(byPasskey.body['access_token']).toBeUndefined()
    } finally {
      await tab.close()
      await strict.close()
    }
  })
})
