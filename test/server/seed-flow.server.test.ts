import { statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, tempDir, type RunningServer } from '../helpers/cli.js'

const tmp = tempDir()
let server: RunningServer

beforeAll(async () => {
  server = await startServer(['--demo', '--database', join(tmp.dir, 'gatehouse.db')])
})
afterAll(async () => {
  await server?.stop()
  tmp.remove()
})

async function call(
  method: string,
  path: string,
  options: { body?: unknown; token?: string } = {},
) {
  const headers: Record<string, string> = {}
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  if (options.token) headers['authorization'] = `Bearer ${options.token}`
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  })
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown>,
  }
}

describe('the seed scenario over a real listening server', () => {
  it('login → protected → data → register → login → admin', async () => {
    const login = await call('POST', '/login', {
      body: { username: 'user1', password: 'password1' },
    })
    expect(login.status).toBe(200)
    expect(login.headers.get('cache-control')).toBe('no-store')
    const token = login.body['access_token'] as string

    expect(await call('GET', '/protected', { token })).toMatchObject({
      status: 200,
      body: { logged_in_as: 'user1' },
    })
    expect(await call('GET', '/data', { token })).toMatchObject({
      status: 200,
      body: { data: 'Sensitive data for user1' },
    })
    expect(await call('GET', '/protected')).toMatchObject({
      status: 401,
      body: { msg: 'Missing Authorization Header' },
    })

    const registered = await call('POST', '/register', {
      body: { username: 'dana', password: 'dana has a long passphrase' },
    })
    expect(registered).toMatchObject({ status: 201, body: { msg: 'User registered successfully' } })
    const dana = await call('POST', '/login', {
      body: { username: 'dana', password: 'dana has a long passphrase' },
    })
    expect(dana.status).toBe(200)

    expect(
      await call('GET', '/admin', { token: dana.body['access_token'] as string }),
    ).toMatchObject({
      status: 403,
      body: { msg: 'Admins only!' },
    })
    const admin = await call('POST', '/login', {
      body: { username: 'admin', password: 'adminpass' },
    })
    expect(
      await call('GET', '/admin', { token: admin.body['access_token'] as string }),
    ).toMatchObject({
      status: 200,
      body: { logged_in_as: { username: 'admin', role: 'admin' } },
    })
  })

  it('gives concurrent refreshes of one token over real sockets one successor, and all stay valid', async () => {
    const login = await call('POST', '/login', {
      body: { username: 'user2', password: 'password2' },
    })
    const refreshToken = login.body['refresh_token'] as string
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        call('POST', '/refresh', { body: { refresh_token: refreshToken } }),
      ),
    )
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
    expect(new Set(results.map((r) => r.body['refresh_token'])).size).toBe(1)
    for (const res of results) {
      expect(
        (await call('GET', '/protected', { token: res.body['access_token'] as string })).status,
      ).toBe(200)
    }
    const next = await call('POST', '/refresh', {
      body: { refresh_token: results[0]!.body['refresh_token'] },
    })
    expect(next.status).toBe(200)
  })

  it('keeps the generated secret and the database readable by their owner only, and says so', () => {
    const secretFile = join(tmp.dir, 'gatehouse.db.secret')
    expect(statSync(secretFile).mode & 0o777).toBe(0o600)
    expect(statSync(join(tmp.dir, 'gatehouse.db')).mode & 0o777).toBe(0o600)
    expect(
      server.logs.some((l) => l['file'] === secretFile && /generated/.test(String(l['msg']))),
    ).toBe(true)
  })

  it('never writes a password or token to its log', async () => {
    const login = await call('POST', '/login', {
      body: { username: 'user2', password: 'password2' },
    })
    await call('GET', '/protected', { token: login.body['access_token'] as string })
    await call('POST', '/login', { body: { username: 'user2', password: 'wrong-password-xyz' } })
    const log = JSON.stringify(server.logs)
    for (const secret of [
      'password2',
      'wrong-password-xyz',
      login.body['access_token'],
      login.body['refresh_token'],
    ]) {
      expect(log).not.toContain(secret)
    }
  })
})
