/**
 * The flows of people and apps: the authorization-code flow, client credentials, a login
 * with a second factor, a hosted page, and the mail queue.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { TOTP, Secret } from 'otpauth'
import { SMTPServer } from 'smtp-server'
import { newMailRecord } from '../../src/capabilities/email/auth/mail.js'
import { createStore } from '../../src/store/create-store.js'
import { load } from '../lib/load.js'
import { CookieJar, postJson, runFlows, type FlowResult } from '../lib/flows.js'
import type { Harness, Row } from '../lib/harness.js'
import { cpuSeconds, SERVER_CORES, stop } from '../lib/processes.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** A flow result as a table row, with the server's CPU time per flow. */
function flowRow(
  scenario: string,
  server: string,
  flows: FlowResult,
  cpu: number,
  note?: string,
): Row {
  return {
    scenario,
    server,
    result: {
      requestsPerSecond: flows.perSecond,
      p50: flows.p50,
      p99: flows.p99,
      requests: flows.flows,
      seconds: 0,
      failures: flows.failures,
    },
    cpuMicros: (cpu * 1e6) / Math.max(1, flows.flows),
    ...(note !== undefined && { note }),
  }
}

/** A browser session from the hosted sign-in page (one argon2 hash, before the clock starts). */
async function signInPage(url: string, username: string, password: string): Promise<CookieJar> {
  const jar = new CookieJar()
  const page = await (await fetch(`${url}/ui/sign-in`).then((res) => jar.keep(res))).text()
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? ''
  const res = await fetch(`${url}/ui/sign-in`, {
    method: 'POST',
    headers: { ...FORM, ...jar.header() },
    body: new URLSearchParams({ csrf, username, password }).toString(),
    redirect: 'manual',
  })
  jar.keep(res)
  if (res.status !== 303) throw new Error(`sign-in page answered ${res.status}`)
  return jar
}

/**
 * OpenID Connect's authorization-code flow with PKCE, for a signed-in browser and an app
 * that skips consent: GET /oauth/authorize → 302 with a code → POST /oauth/token → access,
 * refresh and ID tokens. The password was checked once, before: this is the flow's own
 * cost, without argon2.
 */
export async function codeFlow(h: Harness): Promise<void> {
  h.log('authorization code: authorize → token, a signed-in browser, an app without consent')
  const server = await h.startGatehouse('gatehouse-apps', { cores: SERVER_CORES })
  const url = server.url
  const admin = await h.login(url, 'admin', 'adminpass')
  const redirect = 'http://127.0.0.1/callback'
  const app = await postJson(
    `${url}/admin/clients`,
    {
      name: 'Bench app',
      scopes: ['openid', 'profile', 'data:read'],
      redirect_uris: [redirect],
      skip_consent: true,
    },
    bearer(admin.access_token),
  )
  const { client_id, client_secret } = app.body as { client_id: string; client_secret: string }
  const basic = `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`
  const jar = await signInPage(url, 'user1', 'password1')

  const flow = async () => {
    const verifier = randomBytes(32).toString('base64url')
    const query = new URLSearchParams({
      response_type: 'code',
      client_id,
      redirect_uri: redirect,
      scope: 'openid profile',
      state: randomUUID(),
      nonce: randomUUID(),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    })
    const authorized = jar.keep(
      await fetch(`${url}/oauth/authorize?${query}`, { headers: jar.header(), redirect: 'manual' }),
    )
    await authorized.arrayBuffer()
    const code = new URL(authorized.headers.get('location') ?? '/', url).searchParams.get('code')
    if (authorized.status !== 302 || code === null) return false
    const token = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirect,
        code_verifier: verifier,
      }).toString(),
    })
    const body = (await token.json()) as { id_token?: string }
    return token.status === 200 && typeof body.id_token === 'string'
  }
  for (let i = 0; i < 20; i++) await flow()
  const before = cpuSeconds(server.child.pid)
  const flows = await runFlows(16, h.duration, () => true, flow)
  h.addRow(
    flowRow(
      'authorization-code flow (authorize → token, ID token RS256)',
      server.name,
      flows,
      cpuSeconds(server.child.pid) - before,
      'flows/s, 16 clients',
    ),
  )
  h.log(`  ${Math.round(flows.perSecond)} flows/s`)

  h.log('client credentials: POST /oauth/token with client_secret_basic')
  const machine = await postJson(
    `${url}/admin/clients`,
    { name: 'Bench service', scopes: ['data:read'] },
    bearer(admin.access_token),
  )
  const credentials = machine.body as { client_id: string; client_secret: string }
  const options = {
    url: `${url}/oauth/token`,
    method: 'POST' as const,
    headers: {
      ...FORM,
      authorization: `Basic ${Buffer.from(`${credentials.client_id}:${credentials.client_secret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
    connections: 50,
  }
  await load({ ...options, duration: h.warmup })
  const run = await h.measured(server, { ...options, duration: h.duration })
  h.addRow({ scenario: 'POST /oauth/token client_credentials', server: server.name, ...run })

  h.log('page: GET /ui/sign-in rendered')
  // Browsers do not pipeline.
  const page = { url: `${url}/ui/sign-in`, connections: 50 }
  await load({ ...page, duration: h.warmup })
  const rendered = await h.measured(server, { ...page, duration: h.duration })
  h.addRow({ scenario: 'GET /ui/sign-in (page render)', server: server.name, ...rendered })
  await stop(server.child)
}

interface TotpUser {
  username: string
  password: string
  totp: TOTP
}

/** Users with an authenticator app enrolled, each good for one login in this time step. */
async function totpUsers(url: string, prefix: string, count: number): Promise<TotpUser[]> {
  const users: TotpUser[] = []
  let next = 0
  const enrol = async () => {
    while (next < count) {
      const username = `${prefix}${next++}`
      const password = `a bench passphrase for ${username}`
      await postJson(`${url}/register`, { username, password })
      const { body } = await postJson(`${url}/login`, { username, password })
      const token = bearer(String(body['access_token']))
      const setup = await postJson(`${url}/me/mfa/totp`, {}, token)
      const { id, secret } = setup.body as { id: string; secret: string }
      const totp = new TOTP({ secret: Secret.fromBase32(secret) })
      const verified = await postJson(
        `${url}/me/mfa/totp/${id}/verify`,
        { code: totp.generate() },
        token,
      )
      if (verified.status !== 200) throw new Error(`TOTP enrolment failed: ${verified.status}`)
      users.push({ username, password, totp })
    }
  }
  await Promise.all(Array.from({ length: 8 }, enrol))
  return users
}

/** POST /login (argon2id), then POST /login/mfa with the next step's code (±1 is accepted). */
async function totpLogin(url: string, user: TotpUser): Promise<boolean> {
  const first = await postJson(`${url}/login`, {
    username: user.username,
    password: user.password,
  })
  const mfaToken = first.body['mfa_token']
  if (first.status !== 401 || typeof mfaToken !== 'string') return false
  // Enrolment spent this step's code; the next step's is within the accepted window.
  const code = user.totp.generate({ timestamp: Date.now() + 30_000 })
  const second = await postJson(`${url}/login/mfa`, { mfa_token: mfaToken, code })
  return second.status === 200
}

/**
 * A login with an authenticator app, and /protected during a storm of them. A code is good
 * once per user and time step, so each user logs in once: the pools are as large as the runs.
 */
export async function totpScenarios(h: Harness): Promise<void> {
  h.log('login + TOTP: password, then a code from an authenticator app')
  const server = await h.startGatehouse('gatehouse-totp', { cores: null })
  const pool = h.quick ? 80 : 240
  const logins = await totpUsers(server.url, 'totp', pool)
  const stormers = await totpUsers(server.url, 'storm', pool)

  let taken = 0
  const before = cpuSeconds(server.child.pid)
  const flows = await runFlows(
    16,
    h.duration,
    () => logins[taken++] ?? null,
    (user) => totpLogin(server.url, user),
  )
  h.addRow(
    flowRow(
      'POST /login + POST /login/mfa (argon2id, then TOTP)',
      server.name,
      flows,
      cpuSeconds(server.child.pid) - before,
      'logins/s, 16 clients',
    ),
  )

  h.log('storm with TOTP: /protected latency while TOTP logins saturate hashing')
  const token = (await h.login(server.url)).access_token
  let stormed = 0
  const storm = runFlows(
    32,
    h.duration + 2,
    () => stormers[stormed++] ?? null,
    (user) => totpLogin(server.url, user),
  )
  await new Promise((resolve) => setTimeout(resolve, 500))
  const readSeconds = Math.max(2, Math.min(h.duration, Math.floor(pool / 60)))
  const reads = await load({
    url: `${server.url}/protected`,
    headers: bearer(token),
    connections: 10,
    overallRate: 1_000,
    duration: readSeconds,
  })
  const logged = await storm
  await stop(server.child)
  h.addRow({
    scenario: '/protected at 1,000 req/s during a login storm with TOTP',
    server: server.name,
    result: reads,
    cpuMicros: Number.NaN,
    note: `${Math.round(logged.perSecond)} TOTP logins/s meanwhile, ${readSeconds} s`,
  })
  h.addTarget(
    '/protected p99 < 20 ms during a login storm with TOTP',
    `${reads.p99} ms`,
    reads.p99 < 20,
  )
}

/**
 * The mail queue draining into a local SMTP server: `count` messages queued in the store
 * before the server starts, then the time until the last one arrives.
 */
export async function mailQueue(h: Harness): Promise<void> {
  h.log('mail: the queue draining into an SMTP server on 127.0.0.1')
  const count = h.quick ? 200 : 1_000
  let received = 0
  let firstAt = 0
  let lastAt = 0
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined)
      stream.on('end', () => {
        lastAt = performance.now()
        if (received++ === 0) firstAt = lastAt
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
  const port = (smtp.server.address() as { port: number }).port

  // A database with its schema, then the queue filled behind the server's back.
  const migrated = await h.startGatehouse('gatehouse-mail', { cores: SERVER_CORES })
  await stop(migrated.child)
  const store = createStore(migrated.database)
  const now = Date.now()
  for (let i = 0; i < count; i++) {
    const link = `http://127.0.0.1/ui/verify-email?token=${randomUUID()}`
    const message = {
      to: `reader${i}@example.test`,
      subject: 'Verify your address',
      text: `Open this link to verify: ${link}`,
      html: `<p>Open <a href="${link}">this link</a>.</p>`,
    }
    await store.mail.enqueue(newMailRecord(message, 'pending', now))
  }
  await store.close()

  const server = await h.startGatehouse('gatehouse-mail', {
    cores: SERVER_CORES,
    database: migrated.database,
    env: { GATEHOUSE_SMTP_URL: `smtp://127.0.0.1:${port}` },
  })
  const before = cpuSeconds(server.child.pid)
  const deadline = performance.now() + (h.quick ? 60_000 : 180_000)
  while (received < count && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const cpu = cpuSeconds(server.child.pid) - before
  await stop(server.child)
  await new Promise<void>((resolve) => smtp.close(() => resolve()))
  const seconds = Math.max(0.001, (lastAt - firstAt) / 1000)
  h.addRow({
    scenario: `mail queue → SMTP on 127.0.0.1 (${count.toLocaleString('en')} queued)`,
    server: server.name,
    result: {
      requestsPerSecond: received > 1 ? (received - 1) / seconds : 0,
      p50: 0,
      p99: 0,
      requests: received,
      seconds,
      failures: count - received,
    },
    cpuMicros: (cpu * 1e6) / Math.max(1, received),
    note: 'messages/s',
  })
}
