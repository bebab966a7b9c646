import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import { decodeJwt } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import { gatehouseGuard } from '../../src/guard/index.js'
import { gatehouse, jwks, login, type GatehouseOptions } from '../../src/index.js'

let app: FastifyInstance
afterEach(() => app.close())

async function appWith(options: GatehouseOptions): Promise<FastifyInstance> {
  app = Fastify()
  await app.register(gatehouse, {
    env: {},
    ...options,
    settings: { database: ':memory:', demo: true, ...options.settings },
  })
  return app
}

async function tokenFor(url: string, username: string, password: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url, payload: { username, password } })
  expect(res.statusCode, res.body).toBe(200)
  return res.json<{ access_token: string }>().access_token
}

describe('gatehouse Fastify plugin (library mode)', () => {
  // Issue 11, point 12: library mode cannot know the app's address.
  it('warns when the issuer is not set, and refuses one that is not an http(s) URL', async () => {
    const lines: string[] = []
    app = Fastify({
      logger: { level: 'warn', stream: { write: (line: string) => void lines.push(line) } },
    })
    await app.register(gatehouse, { env: {}, settings: { database: ':memory:' } })
    await app.ready()
    expect(lines.join('')).toMatch(
      /settings\.issuer is not set, so tokens say iss=http:\/\/127\.0\.0\.1:8080/,
    )
    await app.close()

    const quiet: string[] = []
    app = Fastify({
      logger: { level: 'warn', stream: { write: (line: string) => void quiet.push(line) } },
    })
    await app.register(gatehouse, {
      env: {},
      settings: { database: ':memory:', issuer: 'https://app.example.com/auth' },
    })
    await app.ready()
    expect(quiet.join('')).not.toMatch(/issuer/)
    await app.close()

    app = Fastify()
    await expect(
      app.register(gatehouse, {
        env: {},
        settings: { database: ':memory:', issuer: 'app.example.com' },
      }),
    ).rejects.toThrow(/GATEHOUSE_ISSUER \(--issuer\): must be an http\(s\) URL/)
  })

  it('mounts its routes under a prefix and guards the application routes', async () => {
    await appWith({ prefix: '/auth' })
    app.get('/reports', { onRequest: app.gatehouse.required({ roles: ['admin'] }) }, (request) => ({
      by: request.principal?.username,
    }))
    expect((await app.inject({ method: 'POST', url: '/login', payload: {} })).statusCode).toBe(404)
    const admin = await tokenFor('/auth/login', 'admin', 'adminpass')
    const user = await tokenFor('/auth/login', 'user1', 'password1')
    expect(
      (await app.inject({ url: '/reports', headers: { authorization: `Bearer ${admin}` } })).json(),
    ).toEqual({ by: 'admin' })
    const denied = await app.inject({
      url: '/reports',
      headers: { authorization: `Bearer ${user}` },
    })
    expect(denied.statusCode).toBe(403)
    expect(denied.json()).toEqual({ msg: 'Insufficient permissions', error: 'insufficient_scope' })
    expect(
      (await app.inject({ url: '/auth/protected', headers: { authorization: `Bearer ${user}` } }))
        .statusCode,
    ).toBe(200)
  })

  it('shares request.principal with the guard, so an app may register both', async () => {
    await appWith({ settings: { issuer: 'https://app.example.com' } })
    await app.register(gatehouseGuard, {
      issuer: 'https://app.example.com',
      audience: 'gatehouse',
      jwks: jwks(app.gatehouse.auth),
    })
    const who = (request: FastifyRequest) => ({
      by: request.principal?.username,
      kind: request.principal?.kind,
    })
    app.get('/local', { onRequest: app.gatehouse.required() }, who)
    app.get('/remote', { onRequest: app.auth.required() }, who)
    const token = await tokenFor('/login', 'user1', 'password1')
    for (const url of ['/local', '/remote']) {
      const res = await app.inject({ url, headers: { authorization: `Bearer ${token}` } })
      expect(res.json(), url).toEqual({ by: 'user1', kind: 'user' })
    }
  })

  it('serves the hosted pages under its prefix, with every link and cookie there', async () => {
    await appWith({ prefix: '/auth' })
    const page = await app.inject({ url: '/auth/ui/sign-in' })
    expect(page.statusCode).toBe(200)
    const links = [...page.body.matchAll(/(?:href|action|src)="([^"]+)"/g)].map((m) => m[1]!)
    expect(links.filter((link) => link.startsWith('/') && !link.startsWith('/auth/ui/'))).toEqual(
      [],
    )
    const asset = /href="(\/auth\/ui\/assets\/[^"]+\.css)"/.exec(page.body)?.[1]
    expect((await app.inject({ url: asset! })).statusCode).toBe(200)
    const cookie = String(page.headers['set-cookie'])
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1]
    const signedIn = await app.inject({
      method: 'POST',
      url: '/auth/ui/sign-in',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: cookie.split(';')[0]!,
      },
      payload: new URLSearchParams({
        csrf: csrf!,
        username: 'user1',
        password: 'password1',
      }).toString(),
    })
    expect(signedIn.statusCode).toBe(303)
    expect(signedIn.headers.location).toBe('/auth/ui/account')
    // The app's own routes are not the pages': no page headers, no HTML 404.
    expect((await app.inject({ url: '/ui/sign-in' })).statusCode).toBe(404)
  })

  it('leaves the application its own validation and body parsing', async () => {
    await appWith({})
    app.post(
      '/echo',
      { schema: { body: { type: 'object', properties: { n: { type: 'number' } } } } },
      (request) => request.body,
    )
    // Fastify's default coercion still applies to the app's own routes …
    expect(
      (await app.inject({ method: 'POST', url: '/echo', payload: { n: '1' } })).json(),
    ).toEqual({ n: 1 })
    // … and its text/plain parser too; only Gatehouse's routes are strict.
    const text = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'text/plain' },
      payload: 'hi',
    })
    expect(text.statusCode).toBe(400)
    const login = await app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'text/plain' },
      payload: 'hi',
    })
    expect(login.statusCode).toBe(415)
  })

  it('with routes: false offers only the guards and the use cases', async () => {
    await appWith({ routes: false })
    app.get('/me', { onRequest: app.gatehouse.required() }, (request) => ({
      sub: request.principal?.sub,
    }))
    expect((await app.inject({ method: 'POST', url: '/login', payload: {} })).statusCode).toBe(404)
    const pair = await login(
      app.gatehouse.auth,
      { username: 'user1', password: 'password1' },
      { ip: null, userAgent: null },
    )
    const res = await app.inject({
      url: '/me',
      headers: { authorization: `Bearer ${pair.accessToken}` },
    })
    expect(res.statusCode).toBe(200)
  })

  it('adds additionalClaims to users’ access tokens at login and refresh, never over reserved ones', async () => {
    await appWith({ additionalClaims: (user) => ({ tenant: `t-${user.username}`, plan: 'pro' }) })
    const login = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { username: 'user1', password: 'password1' },
    })
    const { access_token, refresh_token } = login.json<{
      access_token: string
      refresh_token: string
    }>()
    expect(decodeJwt(access_token)).toMatchObject({
      tenant: 't-user1',
      plan: 'pro',
      username: 'user1',
    })
    const refreshed = await app.inject({
      method: 'POST',
      url: '/refresh',
      payload: { refresh_token },
    })
    expect(decodeJwt(refreshed.json<{ access_token: string }>().access_token)).toMatchObject({
      tenant: 't-user1',
    })
    expect(
      (
        await app.inject({
          url: '/protected',
          headers: { authorization: `Bearer ${access_token}` },
        })
      ).statusCode,
    ).toBe(200)
    await app.close()

    await appWith({ additionalClaims: () => ({ roles: ['admin'] }) })
    const refused = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { username: 'user1', password: 'password1' },
    })
    expect(refused.statusCode).toBe(500)
    expect(refused.json()).toEqual({ msg: 'Internal server error', error: 'internal_error' })
  })

  it('fails registration with a message naming a bad setting', async () => {
    app = Fastify()
    await expect(
      app.register(gatehouse, { env: {}, settings: { database: ':memory:', accessTtl: 'soon' } }),
    ).rejects.toThrow(/GATEHOUSE_ACCESS_TTL/)
  })
})
