import { decodeJwt } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer, buildTestApp, json, loginAs, type TestApp } from '../helpers/build-test-app.js'

let t: TestApp
let adminToken: string
beforeEach(async () => {
  t = await buildTestApp({ demo: true })
  adminToken = (await loginAs(t, 'admin', 'adminpass')).access_token
})
afterEach(() => t.close())

interface Client {
  client_id: string
  client_secret: string
  name: string
  scopes: string[]
}

async function createClient(
  scopes = ['data:read', 'reports:write'],
  options: { introspect?: boolean } = {},
): Promise<Client> {
  const res = await t.inject({
    method: 'POST',
    url: '/admin/clients',
    ...json({ name: 'billing', scopes, ...options }, bearer(adminToken)),
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json<Client>()
}

/** The secret with its last character changed (to one it surely is not). */
const corrupt = (secret: string) => `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`

const form = (params: Record<string, string>, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  payload: new URLSearchParams(params).toString(),
})

const basic = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
})

const token = (params: Record<string, string>, headers: Record<string, string> = {}) =>
  t.inject({ method: 'POST', url: '/oauth/token', ...form(params, headers) })

function expectOAuthError(
  res: { statusCode: number; json: <T>() => T },
  status: number,
  error: string,
) {
  expect(res.statusCode).toBe(status)
  const body = res.json<Record<string, string>>()
  expect(Object.keys(body).sort()).toEqual(['error', 'error_description'])
  expect(body['error']).toBe(error)
}

describe('POST /oauth/token, client_credentials', () => {
  it('issues a machine token with client_secret_basic (RFC 9068 claims, no refresh token)', async () => {
    const client = await createClient()
    expect(client.client_secret).toMatch(/^gthc_[A-Za-z0-9_-]{43}_[A-Za-z0-9_-]{6}$/)
    const res = await token(
      { grant_type: 'client_credentials' },
      basic(client.client_id, client.client_secret),
    )
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const body = res.json<Record<string, unknown>>()
    expect(body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'data:read reports:write',
    })
    expect(body).not.toHaveProperty('refresh_token')
    const claims = decodeJwt(body['access_token'] as string)
    expect(claims).toMatchObject({
      sub: client.client_id,
      client_id: client.client_id,
      roles: [],
      fresh: false,
    })
    expect(claims).not.toHaveProperty('sid')
    expect(claims).not.toHaveProperty('username')
    const data = await t.inject({ url: '/data', headers: bearer(body['access_token'] as string) })
    expect(data.json()).toEqual({ data: `Sensitive data for ${client.client_id}` })
  })

  it('accepts client_secret_post and narrows scopes on request', async () => {
    const client = await createClient()
    const res = await token({
      grant_type: 'client_credentials',
      client_id: client.client_id,
      client_secret: client.client_secret,
      scope: 'reports:write',
    })
    expect(res.json()).toMatchObject({ scope: 'reports:write' })
    const claims = decodeJwt(res.json<{ access_token: string }>().access_token)
    expect(claims['scope']).toBe('reports:write')
    expect(
      (
        await t.inject({
          url: '/data',
          headers: bearer(res.json<{ access_token: string }>().access_token),
        })
      ).statusCode,
    ).toBe(403)
  })

  it('refuses scopes beyond the client’s with invalid_scope', async () => {
    const client = await createClient(['data:read'])
    const res = await token(
      { grant_type: 'client_credentials', scope: 'data:read admin' },
      basic(client.client_id, client.client_secret),
    )
    expectOAuthError(res, 400, 'invalid_scope')
  })

  it('answers a wrong or missing secret and an unknown client with 401 invalid_client and a Basic challenge', async () => {
    const client = await createClient()
    const other = await createClient()
    const attempts = [
      basic(client.client_id, other.client_secret),
      basic(client.client_id, corrupt(client.client_secret)),
      basic('no-such-client', client.client_secret),
      { authorization: 'Basic !!!' },
      { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` },
      {},
    ]
    for (const headers of attempts) {
      const res = await token({ grant_type: 'client_credentials' }, headers)
      expectOAuthError(res, 401, 'invalid_client')
      expect(res.headers['www-authenticate']).toBe('Basic realm="gatehouse"')
    }
    const postWrong = await token({
      grant_type: 'client_credentials',
      client_id: client.client_id,
      client_secret: other.client_secret,
    })
    expectOAuthError(postWrong, 401, 'invalid_client')
  })

  it('answers malformed requests in RFC 6749 §5.2 shape', async () => {
    const client = await createClient()
    const auth = basic(client.client_id, client.client_secret)
    expectOAuthError(await token({}, auth), 400, 'invalid_request')
    expectOAuthError(
      await token({ grant_type: 'password', username: 'a', password: 'b' }, auth),
      400,
      'unsupported_grant_type',
    )
    // A machine client did not register the code flow (RFC 6749 §5.2).
    expectOAuthError(
      await token({ grant_type: 'authorization_code' }, auth),
      400,
      'unauthorized_client',
    )
    const both = await token(
      {
        grant_type: 'client_credentials',
        client_id: client.client_id,
        client_secret: client.client_secret,
      },
      auth,
    )
    expectOAuthError(both, 400, 'invalid_request')
    const jsonBody = await t.inject({
      method: 'POST',
      url: '/oauth/token',
      ...json({ grant_type: 'client_credentials' }, auth),
    })
    expectOAuthError(jsonBody, 415, 'invalid_request')
    expect(jsonBody.json<{ error_description: string }>().error_description).toMatch(
      /application\/x-www-form-urlencoded/,
    )
    const dup = await t.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth },
      payload: 'grant_type=client_credentials&grant_type=refresh_token',
    })
    expectOAuthError(dup, 400, 'invalid_request')
  })

  it('stops a deleted client’s tokens at once', async () => {
    const client = await createClient()
    const access = (
      await token(
        { grant_type: 'client_credentials' },
        basic(client.client_id, client.client_secret),
      )
    ).json<{ access_token: string }>().access_token
    expect((await t.inject({ url: '/protected', headers: bearer(access) })).statusCode).toBe(200)
    const del = await t.inject({
      method: 'DELETE',
      url: `/admin/clients/${client.client_id}`,
      headers: bearer(adminToken),
    })
    expect(del.statusCode).toBe(204)
    expect((await t.inject({ url: '/protected', headers: bearer(access) })).json()).toMatchObject({
      error: 'token_revoked',
    })
    expectOAuthError(
      await token(
        { grant_type: 'client_credentials' },
        basic(client.client_id, client.client_secret),
      ),
      401,
      'invalid_client',
    )
  })
})

describe('POST /oauth/token, refresh_token', () => {
  it('refuses a first-party refresh token (RFC 6749 §6): it refreshes at POST /refresh, untouched', async () => {
    const login = await loginAs(t, 'user1', 'password1')
    const app = await t.inject({
      method: 'POST',
      url: '/admin/clients',
      ...json(
        {
          name: 'wiki',
          scopes: ['openid', 'data:read'],
          redirect_uris: ['https://app.example/cb'],
          grant_types: ['authorization_code', 'refresh_token'],
        },
        bearer(adminToken),
      ),
    })
    const { client_id, client_secret } = app.json<Client>()
    const machine = await createClient()
    for (const headers of [
      {},
      basic(client_id, client_secret),
      basic(machine.client_id, machine.client_secret),
    ]) {
      const res = await token(
        { grant_type: 'refresh_token', refresh_token: login.refresh_token },
        headers,
      )
      expectOAuthError(res, 400, 'invalid_grant')
    }
    expectOAuthError(
      await token(
        { grant_type: 'refresh_token', refresh_token: login.refresh_token },
        basic(client_id, client_secret),
      ),
      400,
      'invalid_grant',
    )
    const refreshed = await t.inject({
      method: 'POST',
      url: '/refresh',
      ...json({ refresh_token: login.refresh_token }),
    })
    expect(refreshed.statusCode).toBe(200)
    expectOAuthError(await token({ grant_type: 'refresh_token' }), 400, 'invalid_request')
    expectOAuthError(
      await token({ grant_type: 'refresh_token', refresh_token: 'garbage' }),
      400,
      'invalid_grant',
    )
  })

  it('holds an app to its registered token_endpoint_auth_method; machines may use either', async () => {
    const register = async (method: string) => {
      const res = await t.inject({
        method: 'POST',
        url: '/admin/clients',
        ...json(
          {
            name: `app ${method}`,
            scopes: ['openid', 'data:read'],
            redirect_uris: ['https://app.example/cb'],
            grant_types: ['authorization_code', 'client_credentials'],
            token_endpoint_auth_method: method,
          },
          bearer(adminToken),
        ),
      })
      expect(res.statusCode, res.body).toBe(201)
      return res.json<Client>()
    }
    const viaBasic = (c: Client) =>
      token({ grant_type: 'client_credentials' }, basic(c.client_id, c.client_secret))
    const viaPost = (c: Client) =>
      token({
        grant_type: 'client_credentials',
        client_id: c.client_id,
        client_secret: c.client_secret,
      })
    const postApp = await register('client_secret_post')
    expect((await viaPost(postApp)).statusCode).toBe(200)
    expectOAuthError(await viaBasic(postApp), 401, 'invalid_client')
    const basicApp = await register('client_secret_basic')
    expect((await viaBasic(basicApp)).statusCode).toBe(200)
    expectOAuthError(await viaPost(basicApp), 401, 'invalid_client')
    const machine = await createClient()
    expect((await viaBasic(machine)).statusCode).toBe(200)
    expect((await viaPost(machine)).statusCode).toBe(200)
  })
})

describe('POST /oauth/introspect (RFC 7662)', () => {
  const introspect = (client: Client, tokenValue: string) =>
    t.inject({
      method: 'POST',
      url: '/oauth/introspect',
      ...form({ token: tokenValue }, basic(client.client_id, client.client_secret)),
    })

  it('is open only to clients an admin allowed to introspect', async () => {
    const client = await createClient()
    const login = await loginAs(t, 'user1', 'password1')
    expectOAuthError(await introspect(client, login.access_token), 400, 'unauthorized_client')
  })

  it('describes live access tokens, refresh tokens and API keys', async () => {
    const client = await createClient(undefined, { introspect: true })
    const login = await loginAs(t, 'user1', 'password1')
    const access = await introspect(client, login.access_token)
    expect(access.statusCode).toBe(200)
    const claims = decodeJwt(login.access_token)
    expect(access.json()).toMatchObject({
      active: true,
      token_type: 'Bearer',
      sub: claims.sub,
      username: 'user1',
      scope: 'data:read',
      exp: claims.exp,
      jti: claims.jti,
      sid: claims['sid'],
    })
    expect((await introspect(client, login.refresh_token)).json()).toMatchObject({
      active: true,
      token_type: 'refresh_token',
      sub: claims.sub,
    })

    const key = (
      await t.inject({
        method: 'POST',
        url: '/api-keys',
        ...json({ name: 'k' }, bearer(login.access_token)),
      })
    ).json<{ key: string }>().key
    const described = (await introspect(client, key)).json<Record<string, unknown>>()
    expect(described).toMatchObject({
      active: true,
      token_type: 'api_key',
      sub: claims.sub,
      scope: 'data:read',
    })
    // Issue 11, point 18: a key without expiry has no exp (it used to say iat + 30 s).
    expect(described).not.toHaveProperty('exp')
    const expiring = (
      await t.inject({
        method: 'POST',
        url: '/api-keys',
        ...json({ name: 'k2', expires_in: 3600 }, bearer(login.access_token)),
      })
    ).json<{ key: string; expires_at: string }>()
    expect((await introspect(client, expiring.key)).json()).toMatchObject({
      exp: Math.floor(Date.parse(expiring.expires_at) / 1000),
    })
  })

  it('says only {"active": false} for revoked, expired and garbage tokens', async () => {
    const client = await createClient(undefined, { introspect: true })
    const login = await loginAs(t, 'user1', 'password1')
    await t.inject({ method: 'POST', url: '/logout', headers: bearer(login.access_token) })
    for (const value of [
      login.access_token,
      login.refresh_token,
      'garbage',
      'gthr_x',
      'gthk_x',
      'a.b.c',
      '',
    ]) {
      const res = await introspect(client, value)
      expect(res.statusCode, value).toBe(200)
      expect(res.json(), value).toEqual({ active: false })
    }
  })

  it('requires client authentication', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/oauth/introspect',
      ...form({ token: 'x' }),
    })
    expectOAuthError(res, 401, 'invalid_client')
  })
})

describe('POST /oauth/revoke (RFC 7009)', () => {
  const revoke = (client: Client, tokenValue: string) =>
    t.inject({
      method: 'POST',
      url: '/oauth/revoke',
      ...form({ token: tokenValue }, basic(client.client_id, client.client_secret)),
    })

  // Issue 11, point 7: RFC 7009 §2.1, a client revokes only tokens issued to it.
  it('refuses a user’s refresh token, access token and API key: they were not issued to the client', async () => {
    const client = await createClient()
    const a = await loginAs(t, 'user1', 'password1')
    const key = (
      await t.inject({
        method: 'POST',
        url: '/api-keys',
        ...json({ name: 'k' }, bearer(a.access_token)),
      })
    ).json<{ key: string }>().key
    for (const value of [a.refresh_token, a.access_token, key]) {
      expectOAuthError(await revoke(client, value), 400, 'unauthorized_client')
    }
    expect(
      (await t.inject({ url: '/protected', headers: bearer(a.access_token) })).statusCode,
    ).toBe(200)
    expect((await t.inject({ url: '/protected', headers: bearer(key) })).statusCode).toBe(200)
    const refreshed = await t.inject({
      method: 'POST',
      url: '/refresh',
      ...json({ refresh_token: a.refresh_token }),
    })
    expect(refreshed.statusCode).toBe(200)
  })

  it('answers 200 for unknown tokens, and refuses another client’s token', async () => {
    const client = await createClient()
    const other = await createClient()
    for (const value of ['garbage', 'gthr_unknown', `gthr_${'A'.repeat(43)}`]) {
      expect((await revoke(client, value)).statusCode).toBe(200)
    }
    const otherToken = (
      await token({ grant_type: 'client_credentials' }, basic(other.client_id, other.client_secret))
    ).json<{ access_token: string }>().access_token
    expectOAuthError(await revoke(client, otherToken), 400, 'unauthorized_client')
    expect((await t.inject({ url: '/protected', headers: bearer(otherToken) })).statusCode).toBe(
      200,
    )
    expect((await revoke(other, otherToken)).statusCode).toBe(200)
    expect((await t.inject({ url: '/protected', headers: bearer(otherToken) })).statusCode).toBe(
      401,
    )
  })
})

describe('GET /.well-known/oauth-authorization-server', () => {
  it('advertises every endpoint and method (RFC 8414), the same as OIDC discovery', async () => {
    const res = await t.inject({ url: '/.well-known/oauth-authorization-server' })
    const base = 'http://127.0.0.1:8080'
    const clientAuth = ['client_secret_basic', 'client_secret_post']
    expect(res.json()).toEqual({
      issuer: base,
      authorization_endpoint: `${base}/oauth/authorize`,
      end_session_endpoint: `${base}/oauth/logout`,
      token_endpoint: `${base}/oauth/token`,
      userinfo_endpoint: `${base}/oauth/userinfo`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      token_endpoint_auth_methods_supported: [...clientAuth, 'none'],
      introspection_endpoint: `${base}/oauth/introspect`,
      introspection_endpoint_auth_methods_supported: clientAuth,
      revocation_endpoint: `${base}/oauth/revoke`,
      revocation_endpoint_auth_methods_supported: [...clientAuth, 'none'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access', 'data:read'],
      claims_supported: expect.arrayContaining([
        'sub',
        'email',
        'preferred_username',
        'amr',
      ]) as unknown,
      prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
      claims_parameter_supported: false,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      access_token_signing_alg_values_supported: ['EdDSA'],
    })
    const oidc = await t.inject({ url: '/.well-known/openid-configuration' })
    expect(oidc.json()).toEqual(res.json())
    expect(oidc.headers['access-control-allow-origin']).toBe('*')
  })

  it('leaves out the browser endpoints when the hosted pages are off', async () => {
    const api = await buildTestApp({ ui: false })
    try {
      const doc = (await api.inject({ url: '/.well-known/openid-configuration' })).json<
        Record<string, unknown>
      >()
      expect(doc['authorization_endpoint']).toBeUndefined()
      expect(doc['response_types_supported']).toEqual([])
      expect(doc['grant_types_supported']).toEqual(['client_credentials', 'refresh_token'])
    } finally {
      await api.close()
    }
  })
})
