/** Several Gatehouse instances sharing one database (and, on PostgreSQL, one Redis). */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jwks } from '../../src/capabilities/keys/auth/signing-keys.js'
import { loadConfig } from '../../src/config/load.js'
import { openCore } from '../../src/core.js'
import { cleanEnv, startServer, tempDir, type RunningServer } from '../helpers/cli.js'
import {
  createTestDatabase,
  postgresAvailable,
  REDIS_URL,
  redisAvailable,
  testPrefix,
} from '../helpers/services.js'

const tmp = tempDir()
afterAll(() => tmp.remove())
const available = (await postgresAvailable()) && (await redisAvailable())

describe('several instances on one database', () => {
  it('create exactly one current and one next key when they start together', async () => {
    const config = loadConfig({
      env: {},
      overrides: {
        database: join(tmp.dir, 'shared.db'),
        secret: 'a shared secret for all instances 0123456789',
        logLevel: 'silent',
      },
    })
    const cores = await Promise.all(Array.from({ length: 4 }, () => openCore(config)))
    try {
      const published = cores.map((core) => JSON.stringify(jwks(core.auth)))
      expect(new Set(published).size).toBe(1)
      expect(jwks(cores[0]!.auth).keys).toHaveLength(2)
    } finally {
      await Promise.all(cores.map((core) => core.close()))
    }
  })
})

describe('several server processes on one database', () => {
  it('start together on a fresh database, migrate once and publish the same keys', async () => {
    const env = cleanEnv({ GATEHOUSE_SECRET: 'a shared secret for all instances 0123456789' })
    const database = join(tmp.dir, 'processes.db')
    const servers = await Promise.all(
      Array.from({ length: 3 }, () =>
        startServer(['--database', database, '--issuer', 'http://gatehouse.test'], { env }),
      ),
    )
    try {
      const jwks = await Promise.all(
        servers.map(async (s) =>
          JSON.stringify(await (await fetch(`${s.url}/.well-known/jwks.json`)).json()),
        ),
      )
      expect(new Set(jwks).size).toBe(1)
      // A user registered on one instance logs in on another; its token works on a third.
      const [a, b, c] = servers.map((s) => s.url)
      const post = (url: string, path: string, body: object) =>
        fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      expect(
        (await post(a!, '/register', { username: 'shared', password: 'shared passphrase here' }))
          .status,
      ).toBe(201)
      const login = (await (
        await post(b!, '/login', { username: 'shared', password: 'shared passphrase here' })
      ).json()) as {
        access_token: string
      }
      const me = await fetch(`${c}/protected`, {
        headers: { authorization: `Bearer ${login.access_token}` },
      })
      expect(await me.json()).toEqual({ logged_in_as: 'shared' })
    } finally {
      await Promise.all(servers.map((s) => s.stop()))
    }
  })
})

describe.skipIf(!available)('two instances on one PostgreSQL and one Redis', () => {
  let database: { url: string; drop(): Promise<void> }
  let a: RunningServer
  let b: RunningServer

  beforeAll(async () => {
    database = await createTestDatabase()
    const env = cleanEnv({
      DATABASE_URL: database.url,
      REDIS_URL,
      GATEHOUSE_REDIS_PREFIX: testPrefix(),
      GATEHOUSE_SECRET: 'two instances share this secret 0123456789',
      GATEHOUSE_ISSUER: 'http://gatehouse.test',
      GATEHOUSE_IP_LIMIT_PER_MINUTE: '1000',
    })
    // Started together: one migrates and creates the keys, the other adopts them.
    ;[a, b] = await Promise.all([
      startServer(['--demo'], { env }),
      startServer(['--demo'], { env }),
    ])
  })
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()])
    await database?.drop()
  })

  const post = (server: RunningServer, path: string, body: object, token?: string) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token && { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    })
  const get = (server: RunningServer, path: string, token: string) =>
    fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } })
  const login = async (server: RunningServer, username = 'user1', password = 'password1') =>
    (await (await post(server, '/login', { username, password })).json()) as {
      access_token: string
      refresh_token: string
    }

  /** Polls until `check` holds; returns the milliseconds it took. */
  async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
    const start = Date.now()
    while (Date.now() - start < ms) {
      if (await check()) return Date.now() - start
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    throw new Error(`not within ${ms} ms`)
  }

  it('share keys, users and tokens', async () => {
    const jwks = await Promise.all(
      [a, b].map(
        async (s) => (await fetch(`${s.url}/.well-known/jwks.json`)).json() as Promise<unknown>,
      ),
    )
    expect(jwks[0]).toEqual(jwks[1])
    expect(
      (await post(a, '/register', { username: 'shared', password: 'shared passphrase here' }))
        .status,
    ).toBe(201)
    const tokens = await login(b, 'shared', 'shared passphrase here')
    expect(await (await get(a, '/protected', tokens.access_token)).json()).toEqual({
      logged_in_as: 'shared',
    })
  })

  it('a registration raced on both instances creates one user', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post(i % 2 ? a : b, '/register', {
          username: 'contested',
          password: `contested passphrase ${i}`,
        }),
      ),
    )
    expect(results.map((r) => r.status).filter((s) => s === 201)).toHaveLength(1)
    expect(results.map((r) => r.status).filter((s) => s === 400)).toHaveLength(9)
  })

  it('a logout on one instance is refused on the other within 1 s', async () => {
    const tokens = await login(a)
    expect((await get(b, '/protected', tokens.access_token)).status).toBe(200)
    expect((await post(a, '/logout', {}, tokens.access_token)).status).toBe(200)
    const took = await within(
      1_000,
      async () => (await get(b, '/protected', tokens.access_token)).status === 401,
    )
    expect(took).toBeLessThan(1_000)
    expect(await (await get(b, '/protected', tokens.access_token)).json()).toMatchObject({
      error: 'token_revoked',
    })
  })

  it('share the login lockout', async () => {
    for (const server of [a, b, a, b, a]) {
      expect(
        (await post(server, '/login', { username: 'user2', password: 'wrong-password' })).status,
      ).toBe(401)
    }
    const locked = await post(b, '/login', { username: 'user2', password: 'password2' })
    expect(locked.status).toBe(429)
    expect(locked.headers.get('retry-after')).toBe('1')
  })

  it('a key rotation on one instance is published and used by the other', async () => {
    const admin = await login(a, 'admin', 'adminpass')
    const rotated = (await (
      await post(a, '/admin/keys/rotate', {}, admin.access_token)
    ).json()) as {
      current_kid: string
      next_kid: string
    }
    await within(1_000, async () => {
      const jwks = (await (await fetch(`${b.url}/.well-known/jwks.json`)).json()) as {
        keys: { kid: string }[]
      }
      return jwks.keys.some((k) => k.kid === rotated.next_kid)
    })
    const fromB = await login(b)
    const header = JSON.parse(
      Buffer.from(fromB.access_token.split('.')[0]!, 'base64url').toString(),
    ) as { kid: string }
    expect(header.kid).toBe(rotated.current_kid)
    expect((await get(a, '/protected', fromB.access_token)).status).toBe(200)
  })

  it('a refresh raced on both instances has one consistent outcome', async () => {
    const tokens = await login(a)
    const [fromA, fromB] = await Promise.all([
      post(a, '/refresh', { refresh_token: tokens.refresh_token }),
      post(b, '/refresh', { refresh_token: tokens.refresh_token }),
    ])
    expect([fromA.status, fromB.status]).toEqual([200, 200])
    const [bodyA, bodyB] = (await Promise.all([fromA.json(), fromB.json()])) as {
      refresh_token: string
    }[]
    expect(bodyA!.refresh_token).toBe(bodyB!.refresh_token)
    expect((await post(b, '/refresh', { refresh_token: bodyA!.refresh_token })).status).toBe(200)
  })
})
