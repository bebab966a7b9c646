/**
 * Issue 11, points 9 and 10, with a real OAuth client library (oauth4webapi) instead of
 * our own reading of the RFCs: RFC 8414 discovery, RFC 9068 access-token validation of a
 * token from /login, and a refresh-token error that the library reports as invalid_grant.
 */
import { createServer } from 'node:net'
import { join } from 'node:path'
import * as oauth from 'oauth4webapi'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startServer, tempDir, type RunningServer } from '../helpers/cli.js'

const tmp = tempDir()
let server: RunningServer
let as: oauth.AuthorizationServer
const insecure = { [oauth.allowInsecureRequests]: true }

/** A free port, so that the derived issuer names the address clients really use. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

beforeAll(async () => {
  const port = await freePort()
  server = await startServer([
    '--demo',
    '--port',
    String(port),
    '--database',
    join(tmp.dir, 'o.db'),
  ])
  const issuer = new URL(server.url)
  as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
  )
})
afterAll(async () => {
  await server?.stop()
  tmp.remove()
})

async function post(path: string, body: object, token?: string) {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  })
  return (await res.json()) as Record<string, string>
}

it('validates a token from /login as an RFC 9068 access token', async () => {
  const { access_token } = await post('/login', { username: 'user1', password: 'password1' })
  const request = new Request(`${server.url}/protected`, {
    headers: { authorization: `Bearer ${access_token}` },
  })
  const claims = await oauth.validateJwtAccessToken(as, request, 'gatehouse', insecure)
  expect(claims).toMatchObject({ client_id: 'gatehouse', amr: ['pwd'] })
  expect(typeof claims.auth_time).toBe('number')
})

it('reports a spent refresh token as invalid_grant, not as an authentication challenge', async () => {
  const admin = await post('/login', { username: 'admin', password: 'adminpass' })
  const created = await post('/admin/clients', { name: 'app', scopes: [] }, admin.access_token)
  const client = { client_id: created['client_id'] ?? '' }
  const auth = oauth.ClientSecretBasic(created['client_secret'] ?? '')
  const login = await post('/login', { username: 'user1', password: 'password1' })
  await post('/logout', {}, login.access_token)
  const response = await oauth.refreshTokenGrantRequest(
    as,
    client,
    auth,
    login.refresh_token ?? '',
    insecure,
  )
  const error: unknown = await oauth
    .processRefreshTokenResponse(as, client, response)
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(oauth.ResponseBodyError)
  expect(error).toMatchObject({ error: 'invalid_grant', status: 400 })
})
