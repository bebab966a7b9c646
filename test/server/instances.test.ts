import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { jwks } from '../../src/auth/signing-keys.js'
import { openCore } from '../../src/core.js'
import { tempDir } from '../helpers/cli.js'

const tmp = tempDir()
afterAll(() => tmp.remove())

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
    const { cleanEnv, startServer } = await import('../helpers/cli.js')
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
