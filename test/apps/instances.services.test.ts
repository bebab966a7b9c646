import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose'
import { describe, expect, it } from 'vitest'
import { createStore } from '../../src/store/create-store.js'
import type { Store } from '../../src/store/store.js'
import { bearer, buildTestApp, json, loginAs, type TestApp } from '../helpers/build-test-app.js'
import { PageClient } from '../helpers/page-client.js'
import { createTestDatabase, postgresAvailable } from '../helpers/services.js'
import { authorizeInBrowser } from './helpers.js'

// Several instances on one store: the app registered on one, the code flow on another,
// the replay on a third. Nothing lives in one instance's memory but caches.

const ISSUER = 'http://127.0.0.1:8080'
const REDIRECT = 'https://app.example/callback'
const VERIFIER = 'a-verifier-of-forty-three-characters-or-more-0123'

async function sharedStore(postgres: boolean) {
  if (postgres) {
    const database = await createTestDatabase()
    return { url: database.url, cleanup: () => database.drop() }
  }
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-oidc-'))
  return {
    url: join(dir, 'shared.db'),
    cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  }
}

const exchange = (instance: TestApp, clientId: string, code: string) =>
  instance.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId,
      code,
      code_verifier: VERIFIER,
      redirect_uri: REDIRECT,
    }).toString(),
  })

describe.each([
  ['SQLite', false],
  ['PostgreSQL', true],
])('the code flow across instances on one %s store', (_name, postgres) => {
  it('registers on one, signs in on another, and a replay on a third ends it', async () => {
    if (postgres && !(await postgresAvailable())) return
    const { url, cleanup } = await sharedStore(postgres)
    const store: Store = createStore(url)
    const shared = { ...store, close: () => Promise.resolve() }
    const settings = {
      demo: true,
      secret: 'one secret for every instance, long enough',
      issuer: ISSUER,
    }
    const instances: TestApp[] = []
    try {
      for (let i = 0; i < 3; i++) instances.push(await buildTestApp(settings, { store: shared }))
      const [a, b, c] = instances as [TestApp, TestApp, TestApp]
      // a registers the app (and with it the RSA ID-token keys).
      const admin = (await loginAs(a, 'admin', 'adminpass')).access_token
      const created = await a.inject({
        method: 'POST',
        url: '/admin/clients',
        ...json(
          {
            name: 'wiki',
            scopes: ['openid', 'profile'],
            redirect_uris: [REDIRECT],
            token_endpoint_auth_method: 'none',
          },
          bearer(admin),
        ),
      })
      const clientId = created.json<{ client_id: string }>().client_id
      // Instances that did not create the keys publish them once their copy is a second old
      // (the JWKS re-reads the store then): no user signs in faster than that.
      await new Promise((resolve) => setTimeout(resolve, 1_100))

      // b, which started before the keys existed, runs the flow and signs the ID token.
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        scope: 'openid profile',
        code_challenge: createHash('sha256').update(VERIFIER).digest('base64url'),
        code_challenge_method: 'S256',
        nonce: 'n1',
      })
      const callback = await authorizeInBrowser(
        new PageClient(b),
        `${ISSUER}/oauth/authorize?${query.toString()}`,
      )
      const code = callback.searchParams.get('code')!
      const tokens = await exchange(b, clientId, code)
      expect(tokens.statusCode, tokens.body).toBe(200)
      const { id_token, access_token } = tokens.json<{ id_token: string; access_token: string }>()
      expect(decodeProtectedHeader(id_token).alg).toBe('RS256')
      // Every instance publishes the key that signed it.
      for (const instance of instances) {
        const jwks = (
          await instance.inject({ url: '/.well-known/jwks.json' })
        ).json<JSONWebKeySet>()
        const { payload } = await jwtVerify(id_token, createLocalJWKSet(jwks), {
          issuer: ISSUER,
          audience: clientId,
          currentDate: new Date(b.clock.now()),
        })
        expect(payload['nonce']).toBe('n1')
      }

      // c sees the replay: invalid_grant, and the session b opened ends.
      const replay = await exchange(c, clientId, code)
      expect(replay.statusCode).toBe(400)
      expect(replay.json()).toMatchObject({ error: 'invalid_grant' })
      const info = await c.inject({ url: '/oauth/userinfo', headers: bearer(access_token) })
      expect(info.statusCode).toBe(401)
      const user1 = await store.users.findByUsernameKey('user1')
      const sessions = await store.sessions.listActiveForUser(user1!.id, c.clock.now(), {
        limit: 10,
      })
      expect(sessions.filter((s) => s.clientId === clientId)).toEqual([])
    } finally {
      for (const instance of instances) await instance.close()
      await store.close()
      await cleanup()
    }
  })
})
