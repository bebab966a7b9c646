import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { cleanEnv, startServer, tempDir, type RunningServer } from '../helpers/cli.js'
import { linkOf, mailTo, nextMailTo } from '../helpers/mail-flow.js'
import { startTestSmtp } from '../helpers/smtp.js'

const tmp = tempDir()
let server: RunningServer

beforeAll(async () => {
  // The most talkative level: whatever Gatehouse or Fastify would log, this test sees.
  server = await startServer(['--demo', '--database', join(tmp.dir, 'gatehouse.db')], {
    env: cleanEnv({ GATEHOUSE_LOG_LEVEL: 'trace', GATEHOUSE_COOKIE_SECURE: 'false' }),
  })
})
afterAll(async () => {
  await server?.stop()
  tmp.remove()
})

/** Every secret the session used; none may appear in the log, whole or base64-encoded. */
const secrets: string[] = []

async function call(
  method: string,
  path: string,
  options: { json?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...options.headers }
  let body: string | undefined
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(options.json)
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    body = new URLSearchParams(options.form).toString()
  }
  const res = await fetch(`${server.url}${path}`, { method, headers, ...(body && { body }) })
  const text = await res.text()
  return {
    status: res.status,
    cookies: res.headers.getSetCookie(),
    body: (text.startsWith('{') ? JSON.parse(text) : {}) as Record<string, string>,
  }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

it('logs every request with an id, and never a password, token, key or secret', async () => {
  const password = 'correct horse battery staple'
  const newPassword = 'another long passphrase'
  secrets.push(password, newPassword, 'wrong-password-for-the-log')
  expect((await call('POST', '/register', { json: { username: 'logan', password } })).status).toBe(
    201,
  )
  await call('POST', '/login', {
    json: { username: 'logan', password: 'wrong-password-for-the-log' },
  })
  const login = await call('POST', '/login', { json: { username: 'logan', password } })
  expect(login.status).toBe(200)
  const { access_token, refresh_token } = login.body as {
    access_token: string
    refresh_token: string
  }
  secrets.push(access_token, refresh_token)

  await call('GET', '/protected', { headers: bearer(access_token) })
  const refreshed = await call('POST', '/refresh', { json: { refresh_token } })
  secrets.push(refreshed.body['access_token']!, refreshed.body['refresh_token']!)

  // Cookies and their CSRF values.
  const cookieLogin = await call('POST', '/login', {
    json: { username: 'logan', password, use_cookies: true },
  })
  const jar = cookieLogin.cookies.map((c) => c.split(';')[0]!)
  for (const pair of jar) secrets.push(pair.slice(pair.indexOf('=') + 1))
  const csrf = jar.find((c) => c.startsWith('csrf_access_token='))!.split('=')[1]!
  await call('POST', '/logout', {
    headers: { cookie: jar.join('; '), 'x-csrf-token': csrf },
  })

  const key = await call('POST', '/api-keys', {
    json: { name: 'log test' },
    headers: bearer(access_token),
  })
  expect(key.status).toBe(201)
  secrets.push(key.body['key']!)
  await call('GET', '/data', { headers: { 'x-api-key': key.body['key']! } })
  await call('GET', '/data', { headers: bearer(key.body['key']!) })

  const admin = await call('POST', '/login', { json: { username: 'admin', password: 'adminpass' } })
  secrets.push('adminpass', admin.body['access_token']!, admin.body['refresh_token']!)
  const client = await call('POST', '/admin/clients', {
    json: { name: 'log client', scopes: ['data:read'] },
    headers: bearer(admin.body['access_token']!),
  })
  expect(client.status).toBe(201)
  const { client_id, client_secret } = client.body as { client_id: string; client_secret: string }
  secrets.push(client_secret)
  const basic = Buffer.from(`${client_id}:${client_secret}`).toString('base64')
  secrets.push(basic)
  const machine = await call('POST', '/oauth/token', {
    form: { grant_type: 'client_credentials' },
    headers: { authorization: `Basic ${basic}` },
  })
  secrets.push(machine.body['access_token']!)
  await call('POST', '/oauth/token', {
    form: { grant_type: 'client_credentials', client_id, client_secret },
  })
  await call('POST', '/oauth/introspect', {
    form: { token: key.body['key']!, client_id, client_secret },
  })
  await call('POST', '/oauth/revoke', {
    form: { token: refreshed.body['refresh_token']!, client_id, client_secret },
  })
  await call('POST', '/me/password', {
    json: { current_password: password, new_password: newPassword },
    headers: bearer(access_token),
  })
  // Issue 11, point 8: secrets in a query string (RFC 6750 §2.3, client_secret) are redacted.
  await call(
    'GET',
    `/protected?access_token=${encodeURIComponent(access_token)}&client_secret=${encodeURIComponent(client_secret)}&page=2`,
  )
  await call('POST', `/oauth/token?client_secret=${encodeURIComponent(client_secret)}`, {
    form: { grant_type: 'client_credentials', client_id },
  })
  // The server's log lines arrive on its stdout a moment after the answers.
  await expect
    .poll(() =>
      server.logs.some(
        (l) =>
          (l['req'] as { url?: string } | undefined)?.url ===
          '/protected?access_token=[redacted]&client_secret=[redacted]&page=2',
      ),
    )
    .toBe(true)
  // Malformed input echoes nothing secret either.
  await call('POST', '/login', { json: { username: 'logan', password, extra: true } })
  await call('GET', '/protected', { headers: bearer(`${access_token}x`) })

  // Give the last lines time to be written.
  await new Promise((resolve) => setTimeout(resolve, 200))
  const requests = server.logs.filter((l) => l['msg'] === 'request completed')
  expect(requests.length).toBeGreaterThanOrEqual(19)
  for (const line of requests) expect(line['reqId']).toMatch(/^[0-9a-f-]{36}$/)

  const log = server.logs.map((l) => JSON.stringify(l)).join('\n')
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8)
    expect(log, 'a secret reached the log').not.toContain(secret)
    expect(log).not.toContain(Buffer.from(secret).toString('base64'))
  }
})

it('never logs the tokens of mailed links, in JSON bodies, forms or the links themselves', async () => {
  const smtp = await startTestSmtp()
  const mailServer = await startServer(['--demo', '--database', join(tmp.dir, 'mail.db')], {
    env: cleanEnv({
      GATEHOUSE_LOG_LEVEL: 'trace',
      GATEHOUSE_COOKIE_SECURE: 'false',
      GATEHOUSE_SMTP_URL: smtp.url,
    }),
  })
  try {
    const tokens: string[] = []
    const post = (path: string, json: unknown, token?: string) =>
      fetch(`${mailServer.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token && { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(json),
      })
    // Each link is opened as a browser would (the token in the logged URL), then spent.
    const openAndSpend = async (link: string, spend: () => Promise<Response>) => {
      tokens.push(new URL(link).searchParams.get('token')!)
      const path = link.slice(link.indexOf('/ui/'))
      expect((await fetch(`${mailServer.url}${path}`)).status).toBe(200)
      expect((await spend()).status).toBe(200)
    }

    const password = 'a passphrase for the log'
    await post('/register', { username: 'lena', password, email: 'lena@example.com' })
    const verify = linkOf(await nextMailTo(smtp, 'lena@example.com', 1))
    await openAndSpend(verify.link, () => post('/email/verify', { token: verify.token }))

    await post('/password/forgot', { email: 'lena@example.com' })
    const reset = linkOf(await nextMailTo(smtp, 'lena@example.com', 2), 'reset-password')
    const newPassword = 'a second passphrase for the log'
    await openAndSpend(reset.link, () =>
      post('/password/reset', { token: reset.token, new_password: newPassword }),
    )

    const login = await post('/login', { username: 'lena', password: newPassword })
    const { access_token: access } = (await login.json()) as { access_token: string }
    expect((await post('/me/email', { email: 'lena@new.example' }, access)).status).toBe(202)
    const change = linkOf(await nextMailTo(smtp, 'lena@new.example', 1))
    // This one through the page's form, as a browser without JavaScript sends it.
    await openAndSpend(change.link, async () => {
      const page = await fetch(`${mailServer.url}${change.link.slice(change.link.indexOf('/ui/'))}`)
      const cookie = page.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ')
      const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!
      return fetch(`${mailServer.url}/ui/verify-email`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie,
          origin: mailServer.url,
        },
        body: new URLSearchParams({ csrf, token: change.token }).toString(),
      })
    })
    expect(mailTo(smtp, 'lena@new.example')).toHaveLength(1)
    expect(tokens).toHaveLength(3)

    await new Promise((resolve) => setTimeout(resolve, 200))
    const opened = mailServer.logs.filter((l) =>
      String((l['req'] as { url?: string } | undefined)?.url).startsWith('/ui/reset-password?'),
    )
    expect(opened.map((l) => (l['req'] as { url: string }).url)).toContain(
      '/ui/reset-password?token=[redacted]',
    )
    const log = mailServer.logs.map((l) => JSON.stringify(l)).join('\n')
    for (const secret of [...tokens, password, newPassword, access]) {
      expect(log, 'a secret reached the log').not.toContain(secret)
    }
  } finally {
    await mailServer.stop()
    await smtp.stop()
  }
})
