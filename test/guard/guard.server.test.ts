import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import express from 'express'
import Fastify from 'fastify'
import { base64url, decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createGuard,
  expressGuard,
  gatehouseGuard,
  type GuardOptions,
} from '../../src/guard/index.js'
import { cleanEnv, startServer, tempDir, type RunningServer } from '../helpers/cli.js'

const ISSUER = 'http://gatehouse.test'
const tmp = tempDir()
let server: RunningServer

beforeAll(async () => {
  server = await startServer(
    ['--demo', '--database', join(tmp.dir, 'guard.db'), '--issuer', ISSUER],
    {
      env: cleanEnv({ GATEHOUSE_SECRET: 'guard test secret that is long enough 0123456789' }),
    },
  )
})
afterAll(async () => {
  await server?.stop()
  tmp.remove()
})

async function login(username = 'user1', password = 'password1') {
  const res = await fetch(`${server.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  return (await res.json()) as { access_token: string; refresh_token: string }
}

/** A guard on the running server, with a movable clock and a counted fetch. */
function guardFor(extra: Partial<GuardOptions> = {}) {
  let offset = 0
  const fetches = { count: 0 }
  const countingFetch: typeof fetch = (input, init) => {
    fetches.count++
    return fetch(input, init)
  }
  const clock = { now: () => Date.now() + offset }
  const guard = createGuard({
    issuer: ISSUER,
    audience: 'gatehouse',
    jwksUri: `${server.url}/.well-known/jwks.json`,
    clock,
    jwksOptions: { fetch: countingFetch, clock },
    ...extra,
  })
  return { guard, fetches, advance: (seconds: number) => (offset += seconds * 1000) }
}

const header = (token: string) => `Bearer ${token}`

async function attackerToken(claims: object, kid: string) {
  const { privateKey } = await generateKeyPair('EdDSA')
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid })
    .sign(privateKey)
}

describe('createGuard against a running Gatehouse', () => {
  it('accepts its tokens and returns the claims', async () => {
    const { guard } = guardFor()
    const { access_token } = await login()
    const claims = await guard.verify(header(access_token))
    expect(claims).toMatchObject({
      iss: ISSUER,
      aud: 'gatehouse',
      username: 'user1',
      scope: 'data:read',
      fresh: true,
    })
  })

  it('rejects forged tokens as the server does: 401 invalid_token', async () => {
    const { guard } = guardFor()
    const { access_token } = await login()
    const claims = decodeJwt(access_token)
    const kid = decodeProtectedHeader(access_token).kid!
    const [h, , sig] = access_token.split('.')
    const forged = [
      `${h}.${base64url.encode(JSON.stringify({ ...claims, roles: ['admin'] }))}.${sig}`,
      `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid }))}.${base64url.encode(JSON.stringify(claims))}.`,
      await attackerToken({ ...claims, roles: ['admin'] }, kid),
      'not-a-jwt',
    ]
    for (const token of forged) {
      const error = await guard.verify(header(token)).catch((e: unknown) => e)
      const response = guard.errorResponse(error, header(token))
      expect(response.status).toBe(401)
      expect(response.body).toMatchObject({ error: 'invalid_token' })
      expect(response.headers['www-authenticate']).toContain('error="invalid_token"')
    }
    const wrongAudience = guardFor({ audience: 'another-api' }).guard
    await expect(wrongAudience.verify(header(access_token))).rejects.toMatchObject({
      code: 'invalid_token',
    })
    await expect(guard.verify(undefined)).rejects.toMatchObject({ code: 'missing_token' })
  })

  it('makes at most one JWKS fetch per cooldown for a flood of unknown kids', async () => {
    const { guard, fetches, advance } = guardFor()
    const { access_token } = await login()
    await guard.verify(header(access_token))
    expect(fetches.count).toBe(1)
    const claims = decodeJwt(access_token)
    const flood = await Promise.all(
      Array.from({ length: 50 }, (_, i) => attackerToken(claims, `forged-kid-${i}`)),
    )
    const results = await Promise.allSettled(flood.map((token) => guard.verify(header(token))))
    expect(results.every((r) => r.status === 'rejected')).toBe(true)
    expect(fetches.count).toBe(1)
    advance(31)
    await Promise.allSettled(flood.map((token) => guard.verify(header(token))))
    expect(fetches.count).toBe(2)
  })

  it('picks up a key rotation', async () => {
    const { guard, fetches, advance } = guardFor()
    const before = await login()
    await guard.verify(header(before.access_token))
    const admin = await login('admin', 'adminpass')
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${server.url}/admin/keys/rotate`, {
        method: 'POST',
        headers: { authorization: header(admin.access_token) },
      })
      expect(res.status).toBe(200)
    }
    // After two rotations the signing key is one the guard's cached JWKS never held.
    const after = await login()
    advance(31)
    const claims = await guard.verify(header(after.access_token))
    expect(claims.username).toBe('user1')
    expect(fetches.count).toBe(2)
    expect((await guard.verify(header(before.access_token))).username).toBe('user1')
  })

  it('refuses API keys, which are opaque, and says so in the error response shape', async () => {
    const { guard } = guardFor()
    const { access_token } = await login()
    const created = await fetch(`${server.url}/api-keys`, {
      method: 'POST',
      headers: { authorization: header(access_token), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'for a resource server' }),
    })
    const { key } = (await created.json()) as { key: string }
    const error: unknown = await guard.verify(header(key)).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'invalid_token' })
    expect(guard.errorResponse(error, header(key))).toEqual({
      status: 401,
      headers: {
        'www-authenticate':
          'Bearer realm="gatehouse", error="invalid_token", error_description="The access token is invalid"',
      },
      body: { msg: 'Invalid token', error: 'invalid_token' },
    })
  })

  it('rejects an expired token even when it was verified and cached', async () => {
    const { guard, advance } = guardFor()
    const { access_token } = await login()
    await guard.verify(header(access_token))
    advance(900 + 5 + 1)
    await expect(guard.verify(header(access_token))).rejects.toMatchObject({
      code: 'token_expired',
    })
  })

  it('asks the server about revocation when introspection is configured', async () => {
    const admin = await login('admin', 'adminpass')
    const client = (await (
      await fetch(`${server.url}/admin/clients`, {
        method: 'POST',
        headers: { authorization: header(admin.access_token), 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'resource server', scopes: [], introspect: true }),
      })
    ).json()) as { client_id: string; client_secret: string }
    const { guard } = guardFor({
      introspection: {
        url: `${server.url}/oauth/introspect`,
        clientId: client.client_id,
        clientSecret: client.client_secret,
        cacheTtl: 30,
      },
    })
    const { access_token } = await login()
    expect((await guard.verify(header(access_token))).username).toBe('user1')
    const other = await login()
    await fetch(`${server.url}/logout`, {
      method: 'POST',
      headers: { authorization: header(other.access_token) },
    })
    await expect(guard.verify(header(other.access_token))).rejects.toMatchObject({
      code: 'token_revoked',
    })
  })

  it('validates its options at creation, naming the option', () => {
    const base = {
      issuer: ISSUER,
      audience: 'gatehouse',
      jwksUri: `${server.url}/.well-known/jwks.json`,
    }
    expect(() => createGuard({ ...base, issuer: '' })).toThrow(/"issuer"/)
    expect(() => createGuard({ issuer: ISSUER, audience: 'gatehouse' })).toThrow(/jwksUri/)
    expect(() => createGuard({ ...base, jwks: { keys: [] } })).toThrow(/exactly one/)
    expect(() => createGuard({ ...base, jwksUri: 'file:///etc/passwd' })).toThrow(/http/)
    expect(() => createGuard({ ...base, algorithms: ['none'] })).toThrow(/"algorithms"/)
    expect(() => createGuard({ ...base, algorithms: ['HS256'] })).toThrow(/"algorithms"/)
  })

  it('checks additional claims with a typed validator', async () => {
    const { guard } = guardFor({
      validateClaims: (claims): claims is typeof claims & { tenant: string } =>
        typeof (claims as { tenant?: unknown }).tenant === 'string',
    })
    const { access_token } = await login()
    await expect(guard.verify(header(access_token))).rejects.toMatchObject({
      code: 'invalid_token',
    })
  })
})

describe('with the auth server down', () => {
  it('keeps verifying with the cached keys, also after they went stale', async () => {
    const own = tempDir()
    const env = cleanEnv({ GATEHOUSE_SECRET: 'down test secret that is long enough 0123456789' })
    const running = await startServer(
      ['--demo', '--database', join(own.dir, 'down.db'), '--issuer', ISSUER],
      { env },
    )
    let offset = 0
    const clock = { now: () => Date.now() + offset }
    const guard = createGuard({
      issuer: ISSUER,
      audience: 'gatehouse',
      jwksUri: `${running.url}/.well-known/jwks.json`,
      clock,
      jwksOptions: { clock },
    })
    const tokens = await Promise.all(
      [0, 1].map(async () => {
        const res = await fetch(`${running.url}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'user1', password: 'password1' }),
        })
        return ((await res.json()) as { access_token: string }).access_token
      }),
    )
    await guard.verify(header(tokens[0]!))
    await running.stop()
    own.remove()
    expect((await guard.verify(header(tokens[1]!))).username).toBe('user1')
    offset = 600_000 // past the JWKS max-age (300 s): a refresh is due and fails
    const stale = createGuard({
      issuer: ISSUER,
      audience: 'gatehouse',
      jwksUri: `${running.url}/.well-known/jwks.json`,
      clock,
      jwksOptions: { clock },
    })
    await expect(stale.verify(header(tokens[1]!))).rejects.toMatchObject({ code: 'invalid_token' })
    expect((await guard.verify(header(tokens[1]!))).username).toBe('user1')
  })
})

describe('adapters', () => {
  it('Fastify: request.principal, required roles and scopes, optional, server-shaped errors', async () => {
    const { guard } = guardFor()
    const app = Fastify()
    await app.register(gatehouseGuard, { guard })
    app.get('/reports', { onRequest: app.auth.required({ scopes: ['data:read'] }) }, (request) => ({
      user: request.principal?.username,
      kind: request.principal?.kind,
    }))
    app.get(
      '/admin',
      { onRequest: app.auth.required({ roles: ['admin'], forbiddenMessage: 'Admins only!' }) },
      () => ({ ok: true }),
    )
    app.get('/maybe', { onRequest: app.auth.optional() }, (request) => ({
      user: request.principal?.username ?? null,
    }))
    const { access_token } = await login()
    try {
      expect(
        (
          await app.inject({ url: '/reports', headers: { authorization: header(access_token) } })
        ).json(),
      ).toEqual({ user: 'user1', kind: 'user' })
      const forbidden = await app.inject({
        url: '/admin',
        headers: { authorization: header(access_token) },
      })
      expect(forbidden.statusCode).toBe(403)
      expect(forbidden.json()).toEqual({ msg: 'Admins only!', error: 'insufficient_scope' })
      const missing = await app.inject({ url: '/reports' })
      expect(missing.statusCode).toBe(401)
      expect(missing.json()).toEqual({
        msg: 'Missing Authorization Header',
        error: 'missing_token',
      })
      expect(missing.headers['www-authenticate']).toBe('Bearer realm="gatehouse"')
      expect((await app.inject({ url: '/maybe' })).json()).toEqual({ user: null })
      expect(
        (
          await app.inject({ url: '/maybe', headers: { authorization: header(access_token) } })
        ).json(),
      ).toEqual({ user: 'user1' })
      expect(
        (await app.inject({ url: '/maybe', headers: { authorization: 'Bearer forged' } }))
          .statusCode,
      ).toBe(401)
    } finally {
      await app.close()
    }
  })

  it('Fastify: a token seen before yields the principal built for it the first time', async () => {
    const { guard } = guardFor()
    const app = Fastify()
    await app.register(gatehouseGuard, { guard })
    const seen: unknown[] = []
    app.get('/who', { onRequest: app.auth.required() }, (request) => {
      seen.push(request.principal)
      return { user: request.principal?.username }
    })
    const first = await login()
    const second = await login()
    try {
      for (const token of [first.access_token, first.access_token, second.access_token]) {
        const res = await app.inject({ url: '/who', headers: { authorization: header(token) } })
        expect(res.json()).toEqual({ user: 'user1' })
      }
      // Built once per verified token (not per request), and never shared between tokens.
      expect(seen[1]).toBe(seen[0])
      expect(seen[2]).not.toBe(seen[0])
      expect(seen[2]).toMatchObject({ username: 'user1', kind: 'user' })
    } finally {
      await app.close()
    }
  })

  it('loads request.user with loadUser; no user refuses the request', async () => {
    const { guard } = guardFor()
    const app = Fastify()
    const users = new Map([['user1', { name: 'User One', plan: 'pro' }]])
    await app.register(gatehouseGuard, {
      guard,
      loadUser: (claims) => Promise.resolve(users.get(claims.username ?? '') ?? null),
    })
    app.get('/me', { onRequest: app.auth.required() }, (request) => ({ user: request.user }))
    try {
      const one = await login('user1', 'password1')
      expect(
        (
          await app.inject({ url: '/me', headers: { authorization: header(one.access_token) } })
        ).json(),
      ).toEqual({
        user: { name: 'User One', plan: 'pro' },
      })
      const two = await login('user2', 'password2')
      const unknown = await app.inject({
        url: '/me',
        headers: { authorization: header(two.access_token) },
      })
      expect(unknown.statusCode).toBe(401)
      expect(unknown.json()).toEqual({ msg: 'Error loading the user', error: 'invalid_token' })
    } finally {
      await app.close()
    }
  })

  it('Express: req.principal and the same errors over a real socket', async () => {
    const { guard } = guardFor()
    const auth = expressGuard(guard)
    const app = express()
    app.get('/reports', auth.required({ scopes: ['data:read'] }), (req, res) => {
      res.json({ user: (req as { principal?: { username?: string } }).principal?.username })
    })
    app.get('/fresh', auth.required({ fresh: true }), (_req, res) => {
      res.json({ ok: true })
    })
    const listener = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => listener.once('listening', resolve))
    const base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`
    try {
      const { access_token, refresh_token } = await login()
      const ok = await fetch(`${base}/reports`, {
        headers: { authorization: header(access_token) },
      })
      expect(await ok.json()).toEqual({ user: 'user1' })
      const missing = await fetch(`${base}/reports`)
      expect(missing.status).toBe(401)
      expect(await missing.json()).toEqual({
        msg: 'Missing Authorization Header',
        error: 'missing_token',
      })
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse"')
      const refreshed = (await (
        await fetch(`${server.url}/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refresh_token }),
        })
      ).json()) as { access_token: string }
      const stale = await fetch(`${base}/fresh`, {
        headers: { authorization: header(refreshed.access_token) },
      })
      expect(stale.status).toBe(401)
      expect(await stale.json()).toMatchObject({ error: 'fresh_token_required' })
    } finally {
      await new Promise((resolve) => listener.close(resolve))
    }
  })
})

describe('Flask-JWT-Extended error mode', () => {
  it('answers with its statuses and texts', async () => {
    const { guard, advance } = guardFor({ errorMode: 'flask-jwt-extended' })
    const { access_token, refresh_token } = await login()
    const answer = async (authorization: string | undefined) => {
      const error = await guard.verify(authorization).then(
        () => null,
        (e: unknown) => e,
      )
      return guard.errorResponse(error, authorization)
    }
    expect(await answer(undefined)).toEqual({
      status: 401,
      headers: {},
      body: { msg: 'Missing Authorization Header' },
    })
    expect(await answer('Token abc')).toMatchObject({
      status: 422,
      body: {
        msg: "Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'",
      },
    })
    expect(await answer(header(refresh_token))).toMatchObject({
      status: 422,
      body: { msg: 'Only non-refresh tokens are allowed' },
    })
    expect(await answer(header('abc.def'))).toMatchObject({
      status: 422,
      body: { msg: 'Not enough segments' },
    })
    const [h, p] = access_token.split('.')
    expect(await answer(header(`${h}.${p}.${'A'.repeat(86)}`))).toMatchObject({
      status: 422,
      body: { msg: 'Signature verification failed' },
    })
    const wrongAud = guardFor({ errorMode: 'flask-jwt-extended', audience: 'other' }).guard
    const audError = await wrongAud.verify(header(access_token)).catch((e: unknown) => e)
    expect(wrongAud.errorResponse(audError)).toMatchObject({
      status: 422,
      body: { msg: 'Invalid audience' },
    })
    await guard.verify(header(access_token))
    advance(1000)
    expect(await answer(header(access_token))).toEqual({
      status: 401,
      headers: {},
      body: { msg: 'Token has expired' },
    })
  })
})
