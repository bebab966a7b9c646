/**
 * Issue 11, points 13, 14, 16 and 17: shutdown whatever Redis does, incident response
 * (key revocation, backup and restore), and what the CLI and start-up tell a person.
 */
import { spawn } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeProtectedHeader } from 'jose'
import { afterAll, describe, expect, it } from 'vitest'
import { CLI, cleanEnv, runCli, startServer, tempDir } from '../helpers/cli.js'

// The tests start their own processes on their own databases: they run side by side.
const tmp = tempDir()
afterAll(() => tmp.remove())

async function login(url: string, username: string, password: string) {
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  return (await res.json()) as { access_token: string }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

describe.concurrent('shutdown with Redis unreachable (point 13)', () => {
  it('says so at start, keeps serving, and exits 0 at once on SIGTERM', async ({ expect }) => {
    const server = await startServer(
      ['--demo', '--database', join(tmp.dir, 'redis-down.db'), '--redis', 'redis://127.0.0.1:1'],
      { env: cleanEnv({ GATEHOUSE_SHUTDOWN_TIMEOUT: '20' }) },
    )
    expect(
      server.logs.some((l) =>
        /Redis at redis:\/\/127\.0\.0\.1:1 is unreachable/.test(String(l['msg'])),
      ),
    ).toBe(true)
    const { access_token } = await login(server.url, 'user1', 'password1')
    expect((await fetch(`${server.url}/protected`, { headers: bearer(access_token) })).status).toBe(
      200,
    )
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503)
    // The shutdown timeout (20 s) is longer than the test's: only a clean close passes.
    expect(await server.stop()).toBe(0)
  })
})

describe.concurrent('incident response (point 14)', () => {
  it('keys revoke KID pulls a key out of the JWKS and refuses its tokens; the admin API does the same', async ({
    expect,
  }) => {
    const database = join(tmp.dir, 'revoke.db')
    const server = await startServer(['--demo', '--database', database])
    const before = await login(server.url, 'user1', 'password1')
    const kid = decodeProtectedHeader(before.access_token).kid ?? ''
    expect(
      (await fetch(`${server.url}/protected`, { headers: bearer(before.access_token) })).status,
    ).toBe(200)

    // Through the admin API: this instance refuses the token at once.
    const admin = await login(server.url, 'admin', 'adminpass')
    const revoked = await fetch(`${server.url}/admin/keys/${kid}/revoke`, {
      method: 'POST',
      headers: bearer(admin.access_token),
    })
    expect(revoked.status).toBe(200)
    const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[]
    }
    expect(jwks.keys.map((k) => k.kid)).not.toContain(kid)
    const refused = await fetch(`${server.url}/protected`, { headers: bearer(before.access_token) })
    expect(refused.status).toBe(401)
    const after = await login(server.url, 'user1', 'password1')
    expect(decodeProtectedHeader(after.access_token).kid).not.toBe(kid)
    expect(
      (await fetch(`${server.url}/protected`, { headers: bearer(after.access_token) })).status,
    ).toBe(200)
    await server.stop()

    // From the command line, on the database itself.
    const list = await runCli(['keys', 'list', '--database', database])
    const current = /current\s+\S+\s+(\S+)/.exec(list.stdout)?.[1] ?? ''
    const cli = await runCli(['keys', 'revoke', current, '--database', database])
    expect(cli.code, cli.stderr).toBe(0)
    expect(cli.stdout).toContain(`revoked ${current}`)
    expect((await runCli(['keys', 'list', '--database', database])).stdout).not.toContain(current)
    const unknown = await runCli(['keys', 'revoke', 'nope', '--database', database])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toBe('gatehouse: No such signing key\n')
    // Key ids are base64url and may start with '-': such an id is a value, not an option.
    const dashed = await runCli(['keys', 'revoke', '-0nope', '--database', database])
    expect(dashed.stderr).toBe('gatehouse: No such signing key\n')
    expect(dashed.code).toBe(1)
  })

  it('a key revoked from the command line is refused by a running server without Redis within seconds', async ({
    expect,
  }) => {
    const database = join(tmp.dir, 'revoke-live.db')
    const server = await startServer(['--demo', '--database', database])
    const before = await login(server.url, 'user1', 'password1')
    const kid = decodeProtectedHeader(before.access_token).kid ?? ''
    const status = async () =>
      (await fetch(`${server.url}/protected`, { headers: bearer(before.access_token) })).status
    expect(await status()).toBe(200)
    const cli = await runCli(['keys', 'revoke', kid, '--database', database])
    expect(cli.code, cli.stderr).toBe(0)
    // The server re-reads its keys every 5 s (docs/operations.md, "Incidents").
    let seen = 200
    for (let i = 0; i < 40 && seen === 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      seen = await status()
    }
    expect(seen).toBe(401)
    const after = await login(server.url, 'user1', 'password1')
    expect(decodeProtectedHeader(after.access_token).kid).not.toBe(kid)
    expect(await server.stop()).toBe(0)
  })

  it('backup FILE writes a consistent copy that starts and accepts logins after a restore', async ({
    expect,
  }) => {
    const database = join(tmp.dir, 'live.db')
    const server = await startServer(['--demo', '--database', database])
    await login(server.url, 'user1', 'password1')
    const copy = join(tmp.dir, 'copy.db')
    // Online: taken while the server runs.
    const backup = await runCli(['backup', copy, '--database', database])
    expect(backup.code, backup.stderr).toBe(0)
    expect(existsSync(`${copy}.secret`)).toBe(true)
    await server.stop()
    expect((await runCli(['backup', copy, '--database', database])).stderr).toMatch(
      /already exists/,
    )

    const restored = await startServer(['--database', copy])
    const { access_token } = await login(restored.url, 'user1', 'password1')
    expect(
      (await fetch(`${restored.url}/protected`, { headers: bearer(access_token) })).status,
    ).toBe(200)
    expect(await restored.stop()).toBe(0)
  })
})

describe.concurrent('what the CLI tells a person (points 16 and 17)', () => {
  it('prints the version, an overview, and each command’s usage with defaults and variables', async ({
    expect,
  }) => {
    const version = await runCli(['--version'])
    expect(version.stdout).toMatch(/^gatehouse \d+\.\d+\.\d+\n$/)
    const overview = await runCli(['help'])
    expect(overview.stdout).toMatch(
      /--database PATH\|URL \(default \.\/gatehouse\.db; env DATABASE_URL\)/,
    )
    const serve = await runCli(['serve', '--help'])
    expect(serve.code).toBe(0)
    expect(serve.stdout).toMatch(/--port .*\n\s+\(env GATEHOUSE_PORT, default 8080\)/)
    expect((await runCli(['help', 'backup'])).stdout).toMatch(/^Usage: gatehouse backup FILE/)
  })

  it('explains failures in one paragraph, without a stack trace, and creates no database by mistake', async ({
    expect,
  }) => {
    const missing = join(tmp.dir, 'typo.db')
    const cases: [string[], RegExp][] = [
      [['users', 'create', 'x', '--database', missing], /there is no database at .*typo\.db/],
      [
        ['keys', 'list', '--database', join(tmp.dir, 'no', 'dir.db')],
        /directory .* does not exist/,
      ],
      [['migrate', '--database', 'postgress://db/x'], /did you mean postgres:\/\//],
    ]
    const notDb = join(tmp.dir, 'text.db')
    writeFileSync(notDb, 'not a database at all, just text\n'.repeat(200))
    cases.push([['keys', 'list', '--database', notDb], /not a SQLite database/])
    for (const [args, expected] of cases) {
      const res = await runCli(args)
      expect(res.code, args.join(' ')).not.toBe(0)
      expect(res.stderr, args.join(' ')).toMatch(expected)
      expect(res.stderr, args.join(' ')).not.toMatch(/\n\s+at /)
    }
    expect(existsSync(missing)).toBe(false)
    expect(existsSync(`${missing}.secret`)).toBe(false)
    expect(existsSync(`${notDb}.secret`)).toBe(false)

    const database = join(tmp.dir, 'taken.db')
    await runCli(['migrate', '--database', database])
    const create = (stdin: string) =>
      runCli(['users', 'create', 'Olga', '--password-stdin', '--database', database], { stdin })
    expect((await create('olga has a passphrase\n')).code).toBe(0)
    expect((await create('olga has a passphrase\n')).stderr).toBe(
      'gatehouse: a user named "Olga" already exists\n',
    )
  })

  it('names --port when the port is taken, and warns about unknown GATEHOUSE_ variables', async ({
    expect,
  }) => {
    const first = await startServer(['--database', join(tmp.dir, 'port.db')], {
      env: cleanEnv({ GATEHOUSE_ACCES_TTL: '60' }),
    })
    expect(
      first.logs.some((l) =>
        /GATEHOUSE_ACCES_TTL .* did you mean GATEHOUSE_ACCESS_TTL\?/.test(String(l['msg'])),
      ),
    ).toBe(true)
    const port = new URL(first.url).port
    const second = await runCli(['serve', '--port', port, '--database', join(tmp.dir, 'port2.db')])
    await first.stop()
    expect(second.code).toBe(2)
    expect(second.stderr).toMatch(
      /port \d+ on 127\.0\.0\.1 is already in use.*--port or GATEHOUSE_PORT/,
    )
    expect(second.stderr).not.toMatch(/\n\s+at /)
  })

  it('says in words where it listens and what it uses, readably with GATEHOUSE_LOG_FORMAT=pretty', async ({
    expect,
  }) => {
    const database = join(tmp.dir, 'pretty.db')
    const json = await startServer(['--demo', '--database', database])
    // The summary follows Fastify's "Server listening" line, which startServer waits for.
    for (let i = 0; i < 100 && !json.logs.some((l) => /demo users:/.test(String(l['msg']))); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const said = json.logs.map((l) => String(l['msg'])).join('\n')
    await json.stop()
    expect(said).toMatch(/Gatehouse is ready at http:\/\/127\.0\.0\.1:\d+/)
    expect(said).toMatch(/database: SQLite file .*pretty\.db/)
    expect(said).toMatch(/API docs: http:\/\/127\.0\.0\.1:\d+\/docs/)
    expect(said).toMatch(
      /demo users: user1, user2, admin \(admin\); their passwords are in the README/,
    )

    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--database', database], {
      env: cleanEnv({ GATEHOUSE_LOG_FORMAT: 'pretty' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        if (out.includes('API docs')) resolve()
      })
    })
    const exited = new Promise((resolve) => child.on('exit', resolve))
    child.kill('SIGTERM')
    await exited
    const lines = out.split('\n').filter((line) => line.trim() !== '')
    expect(lines.length).toBeGreaterThan(3)
    for (const line of lines) expect(line).not.toMatch(/^\{/)
    expect(out).toMatch(/INFO.*Gatehouse is ready at http:\/\/127\.0\.0\.1:\d+/)
  })
})

describe('PostgreSQL start-up failures in words (point 16)', async () => {
  const { createTestDatabase, postgresAvailable, POSTGRES_URL } =
    await import('../helpers/services.js')
  const available = await postgresAvailable()
  const env = cleanEnv({ GATEHOUSE_SECRET: 'k4Jd9!x2Vb7#Qm1Zr8@Tn5$Hw3^Lp6&Cy0' })

  it.skipIf(!available)(
    'names a database that does not exist, and a failed migration with its cause',
    async () => {
      const url = new URL(POSTGRES_URL)
      url.pathname = '/gatehouse_no_such_database'
      const missing = await runCli(
        ['migrate', '--database', url.toString(), '--issuer', 'http://x.test'],
        {
          env,
        },
      )
      expect(missing.code).toBe(1)
      expect(missing.stderr).toMatch(
        /database "gatehouse_no_such_database" does not exist.*createdb/,
      )
      expect(missing.stderr).not.toMatch(/\n\s+at /)

      // A table of another application where the first migration creates ours.
      const database = await createTestDatabase()
      try {
        const { default: pg } = await import('pg')
        const client = new pg.Client({ connectionString: database.url })
        await client.connect()
        await client.query('create table users (id integer primary key)')
        await client.end()
        const failed = await runCli(
          ['migrate', '--database', database.url, '--issuer', 'http://x.test'],
          {
            env,
          },
        )
        expect(failed.code).toBe(1)
        expect(failed.stderr).toMatch(
          /migration 0001-initial failed: relation "users" already exists/,
        )
        expect(failed.stderr).not.toMatch(/\n\s+at /)
      } finally {
        await database.drop()
      }
    },
  )
})
