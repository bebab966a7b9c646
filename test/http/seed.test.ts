import { setUserRoles } from '../../src/capabilities/accounts/auth/users.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer, buildTestApp, loginAs, register, type TestApp } from '../helpers/build-test-app.js'

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp({ demo: true })
})
afterEach(() => t.close())

describe('POST /register', () => {
  it('creates a user with the seed body and status', async () => {
    const res = await register(t, 'alice', 'correct horse battery staple')
    expect(res.statusCode).toBe(201)
    expect(res.json()).toEqual({ msg: 'User registered successfully' })
  })

  it('refuses a taken username with the seed message, case-insensitively', async () => {
    await register(t, 'alice', 'correct horse battery staple')
    for (const name of ['alice', 'ALICE', 'Alice']) {
      const res = await register(t, name, 'another long passphrase')
      expect(res.statusCode).toBe(400)
      expect(res.json()).toEqual({ msg: 'Username already exists', error: 'username_taken' })
    }
  })

  it('refuses common passwords and says why', async () => {
    const res = await register(t, 'alice', 'password1')
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ error: 'weak_password' })
    expect(res.json<{ msg: string }>().msg).toMatch(/common/)
  })

  it('refuses a password equal to the username', async () => {
    const res = await register(t, 'longusername', 'LongUserName')
    expect(res.json()).toMatchObject({ error: 'weak_password' })
  })

  it('enforces the password length bounds before hashing', async () => {
    const before = t.hasher.counts.hash
    expect((await register(t, 'alice', 'short')).json()).toMatchObject({
      error: 'invalid_password',
      msg: 'Password must be at least 8 characters long',
    })
    expect((await register(t, 'alice', 'x'.repeat(257))).json()).toMatchObject({
      error: 'invalid_password',
      msg: 'Password must be at most 256 characters long',
    })
    expect(t.hasher.counts.hash).toBe(before)
  })

  it('accepts long passphrases with any characters, and they log in', async () => {
    const password = 'ünïcødé pässwörd 🔑 with spaces'
    expect((await register(t, 'zoe', password)).statusCode).toBe(201)
    expect((await loginAs(t, 'zoe', password)).access_token).toBeTruthy()
  })
})

describe('GET /protected and /data', () => {
  it('answer the seed bodies for a valid token', async () => {
    const { access_token } = await loginAs(t, 'user1', 'password1')
    const protectedRes = await t.inject({ url: '/protected', headers: bearer(access_token) })
    expect(protectedRes.statusCode).toBe(200)
    expect(protectedRes.json()).toEqual({ logged_in_as: 'user1' })
    const dataRes = await t.inject({ url: '/data', headers: bearer(access_token) })
    expect(dataRes.json()).toEqual({ data: 'Sensitive data for user1' })
  })

  it('answer 401 "Missing Authorization Header" without a token', async () => {
    for (const url of ['/protected', '/data', '/admin']) {
      const res = await t.inject({ url })
      expect(res.statusCode).toBe(401)
      expect(res.json()).toEqual({ msg: 'Missing Authorization Header', error: 'missing_token' })
      expect(res.headers['www-authenticate']).toBe('Bearer realm="gatehouse"')
    }
  })

  it('answer 401 "Token has expired" once the token expired, even when it was verified before', async () => {
    const { access_token } = await loginAs(t, 'user1', 'password1')
    expect((await t.inject({ url: '/protected', headers: bearer(access_token) })).statusCode).toBe(
      200,
    )
    t.clock.advance(900 + 5 + 1)
    const res = await t.inject({ url: '/protected', headers: bearer(access_token) })
    expect(res.statusCode).toBe(401)
    expect(res.json()).toEqual({ msg: 'Token has expired', error: 'token_expired' })
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"')
  })

  it('accepts a token within the configured leeway after exp', async () => {
    const { access_token } = await loginAs(t, 'user1', 'password1')
    t.clock.advance(900 + 3)
    expect((await t.inject({ url: '/protected', headers: bearer(access_token) })).statusCode).toBe(
      200,
    )
  })

  it('refuses another authorization scheme with a clear message', async () => {
    const res = await t.inject({
      url: '/protected',
      headers: { authorization: 'Basic dXNlcjE6cGFzc3dvcmQx' },
    })
    expect(res.statusCode).toBe(401)
    expect(res.json<{ msg: string }>().msg).toMatch(/Bearer/)
  })
})

describe('GET /admin', () => {
  it('answers the seed body for the admin role', async () => {
    const { access_token } = await loginAs(t, 'admin', 'adminpass')
    const res = await t.inject({ url: '/admin', headers: bearer(access_token) })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ logged_in_as: { username: 'admin', role: 'admin' } })
  })

  it('answers 403 "Admins only!" to anyone else', async () => {
    const { access_token } = await loginAs(t, 'user1', 'password1')
    const res = await t.inject({ url: '/admin', headers: bearer(access_token) })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({ msg: 'Admins only!', error: 'insufficient_scope' })
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"')
  })

  it('sees a role granted with the CLI use case from the next login on', async () => {
    const before = await loginAs(t, 'user2', 'password2')
    await setUserRoles(t.core.auth, 'user2', ['admin'])
    const after = await loginAs(t, 'user2', 'password2')
    expect(
      (await t.inject({ url: '/admin', headers: bearer(before.access_token) })).statusCode,
    ).toBe(403)
    expect(
      (await t.inject({ url: '/admin', headers: bearer(after.access_token) })).statusCode,
    ).toBe(200)
  })
})

describe('discovery and health', () => {
  it('publishes a current and a next Ed25519 key, public parts only', async () => {
    const res = await t.inject({ url: '/.well-known/jwks.json' })
    const { keys } = res.json<{ keys: Record<string, string>[] }>()
    expect(keys).toHaveLength(2)
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' })
      expect(key['d']).toBeUndefined()
      expect(key['kid']).toMatch(/^[A-Za-z0-9_-]{43}$/)
    }
  })

  it('serves RFC 8414 metadata naming the issuer and JWKS', async () => {
    const res = await t.inject({ url: '/.well-known/oauth-authorization-server' })
    expect(res.json()).toMatchObject({
      issuer: 'http://127.0.0.1:8080',
      jwks_uri: 'http://127.0.0.1:8080/.well-known/jwks.json',
      response_types_supported: ['code'],
    })
  })

  it('answers /healthz and /readyz, and /readyz is 503 when the store is gone', async () => {
    expect((await t.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' })
    expect((await t.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready' })
    await t.core.store.close()
    const res = await t.inject({ url: '/readyz' })
    expect(res.statusCode).toBe(503)
    expect(res.json()).toMatchObject({ error: 'service_unavailable' })
  })
})
