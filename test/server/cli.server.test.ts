import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli, startServer, tempDir } from '../helpers/cli.js'

const tmp = tempDir()
const database = join(tmp.dir, 'cli.db')
afterAll(() => tmp.remove())

async function login(url: string, username: string, password: string) {
  return fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
}

describe('gatehouse CLI', () => {
  it('migrate creates the schema', async () => {
    const res = await runCli(['migrate', '--database', database])
    expect(res.code).toBe(0)
    expect(res.stdout).toContain('up to date')
  })

  it('users create reads the password from stdin, keeping inner spaces', async () => {
    const res = await runCli(
      [
        'users',
        'create',
        'Erin',
        '--role',
        'admin',
        '--role',
        'auditor',
        '--password-stdin',
        '--database',
        database,
      ],
      {
        stdin: ' erin has a passphrase \n',
      },
    )
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toContain('created user Erin')
    expect(res.stdout).toContain('["admin","auditor"]')
    expect(res.stdout).not.toContain('passphrase')
  })

  it('users create without --password-stdin generates and prints a strong password', async () => {
    const res = await runCli(['users', 'create', 'frank', '--database', database])
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toMatch(/password: [A-Za-z0-9_-]{24}\n/)
  })

  it('users create applies the same rules as /register', async () => {
    const weak = await runCli(
      ['users', 'create', 'gina', '--password-stdin', '--database', database],
      { stdin: 'password1\n' },
    )
    expect(weak.code).toBe(1)
    expect(weak.stderr).toMatch(/too common/)
    const taken = await runCli(['users', 'create', 'ERIN', '--database', database])
    expect(taken.code).toBe(1)
    const badName = await runCli(['users', 'create', 'a b', '--database', database])
    expect(badName.code).toBe(1)
    expect(badName.stderr).toMatch(/spaces/)
  })

  it('users set-role replaces roles, and the server honours them at the next login', async () => {
    const res = await runCli(['users', 'set-role', 'frank', 'admin', '--database', database])
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toContain('frank: roles ["admin"]')
    expect(
      (await runCli(['users', 'set-role', 'nobody', 'admin', '--database', database])).code,
    ).toBe(1)
    expect(
      (await runCli(['users', 'set-role', 'frank', 'Not A Role!', '--database', database])).code,
    ).toBe(1)

    const server = await startServer(['--database', database])
    try {
      const erin = await login(server.url, 'erin', ' erin has a passphrase ')
      expect(erin.status).toBe(200)
      const token = ((await erin.json()) as { access_token: string }).access_token
      const admin = await fetch(`${server.url}/admin`, {
        headers: { authorization: `Bearer ${token}` },
      })
      expect(admin.status).toBe(200)
    } finally {
      await server.stop()
    }
  })

  it('users create --email and users set-email set the address; the server shows it at /me', async () => {
    const created = await runCli(
      [
        'users',
        'create',
        'hugo',
        '--email',
        'Hugo@Example.com',
        '--email-verified',
        '--password-stdin',
        '--database',
        database,
      ],
      { stdin: 'hugo has a passphrase\n' },
    )
    expect(created.code, created.stderr).toBe(0)
    expect(created.stdout).toContain('email Hugo@Example.com (verified)')
    // Hugo holds it verified: the operator cannot vouch for it for frank too…
    const taken = await runCli([
      'users',
      'set-email',
      'frank',
      'HUGO@example.com',
      '--email-verified',
      '--database',
      database,
    ])
    expect(taken.code).toBe(1)
    expect(taken.stderr).toContain('Email address already in use')
    // …while an unverified claim reserves nothing, and takes nothing from hugo.
    const claimed = await runCli([
      'users',
      'set-email',
      'frank',
      'HUGO@example.com',
      '--database',
      database,
    ])
    expect(claimed.code, claimed.stderr).toBe(0)
    expect(claimed.stdout).toContain('frank: email HUGO@example.com\n')
    const bad = await runCli([
      'users',
      'set-email',
      'frank',
      'not an address',
      '--database',
      database,
    ])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('Invalid email address')
    const set = await runCli([
      'users',
      'set-email',
      'frank',
      'frank@example.com',
      '--database',
      database,
    ])
    expect(set.stdout).toContain('frank: email frank@example.com\n')
    const removed = await runCli(['users', 'set-email', 'hugo', '', '--database', database])
    expect(removed.stdout).toContain('hugo: email none')

    const server = await startServer(['--database', database])
    try {
      const hugo = await login(server.url, 'hugo', 'hugo has a passphrase')
      const token = ((await hugo.json()) as { access_token: string }).access_token
      const me = await fetch(`${server.url}/me`, { headers: { authorization: `Bearer ${token}` } })
      expect(await me.json()).toMatchObject({ email: null, email_verified: false })
    } finally {
      await server.stop()
    }
  })

  it('mail outbox prints the messages kept without SMTP, with their text and link', async () => {
    // The address removed by an earlier test was verified: its owner was told.
    const before = await runCli(['mail', 'outbox', '--database', database])
    expect(before.stdout).toContain(
      'To: Hugo@Example.com\nSubject: The email address of your Gatehouse account was changed',
    )
    expect(before.stdout).toContain('the address of your Gatehouse account was removed')
    await runCli([
      'users',
      'set-email',
      'hugo',
      'hugo@example.com',
      '--email-verified',
      '--database',
      database,
    ])
    const server = await startServer(['--database', database])
    try {
      const hugo = await login(server.url, 'hugo', 'hugo has a passphrase')
      const token = ((await hugo.json()) as { access_token: string }).access_token
      const changed = await fetch(`${server.url}/me/password`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          current_password: 'hugo has a passphrase',
          new_password: 'hugo has another one',
        }),
      })
      expect(changed.status).toBe(200)
    } finally {
      await server.stop()
    }
    const outbox = await runCli(['mail', 'outbox', '--database', database])
    expect(outbox.code, outbox.stderr).toBe(0)
    expect(outbox.stdout).toContain(
      'To: hugo@example.com\nSubject: Your Gatehouse password was changed',
    )
    expect(outbox.stdout).toMatch(/http:\/\/127\.0\.0\.1:\d+\/ui\/account/)
    expect((await runCli(['mail', 'sent', '--database', database])).code).toBe(2)
  })

  it('keys list and keys rotate manage the signing keys; the server publishes the result', async () => {
    const before = await runCli(['keys', 'list', '--database', database])
    expect(before.code, before.stderr).toBe(0)
    const lines = before.stdout.trim().split('\n')
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['current', 'next'])
    const nextKid = lines[1]!.split(/\s+/)[2]!

    const rotated = await runCli(['keys', 'rotate', '--database', database])
    expect(rotated.code, rotated.stderr).toBe(0)
    expect(rotated.stdout).toContain(`current ${nextKid}`)

    const server = await startServer(['--database', database])
    try {
      const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as {
        keys: { kid: string }[]
      }
      expect(jwks.keys.map((k) => k.kid)).toContain(nextKid)
      expect(jwks.keys).toHaveLength(3)
    } finally {
      await server.stop()
    }
  })

  it('clients create prints a client that can get tokens', async () => {
    const res = await runCli([
      'clients',
      'create',
      'reporting',
      '--scopes',
      'data:read reports:read',
      '--database',
      database,
    ])
    expect(res.code, res.stderr).toBe(0)
    const clientId = /client_id:\s+(\S+)/.exec(res.stdout)?.[1]
    const secret = /client_secret:\s+(gthc_\S+)/.exec(res.stdout)?.[1]
    expect(clientId && secret).toBeTruthy()
    const server = await startServer(['--database', database])
    try {
      const token = await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        },
        body: 'grant_type=client_credentials&scope=reports:read',
      })
      expect(token.status).toBe(200)
      expect(await token.json()).toMatchObject({ token_type: 'Bearer', scope: 'reports:read' })
    } finally {
      await server.stop()
    }
    expect((await runCli(['clients', 'create', '--database', database])).code).toBe(2)
    expect((await runCli(['keys', 'spin', '--database', database])).code).toBe(2)
  })

  it('audit export writes the audit log as JSON lines, oldest first, filtered', async () => {
    const all = await runCli(['audit', 'export', '--since', '1d', '--database', database])
    expect(all.code, all.stderr).toBe(0)
    const events = all.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; at: string; details: object })
    const types = events.map((e) => e.type)
    for (const type of ['user_created', 'user_updated', 'signing_key_rotated', 'client_created']) {
      expect(types).toContain(type)
    }
    expect(events[0]).toMatchObject({ type: 'user_created', details: { via: 'cli' } })
    const times = events.map((e) => Date.parse(e.at))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(Object.keys(events[0] ?? {}).sort()).toEqual(
      ['at', 'details', 'id', 'ip', 'type', 'user_agent', 'user_id'].sort(),
    )

    const logins = await runCli([
      'audit',
      'export',
      '--type',
      'login_success',
      '--database',
      database,
    ])
    const loginTypes = logins.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { type: string }).type)
    expect(loginTypes.length).toBeGreaterThan(0)
    expect(new Set(loginTypes)).toEqual(new Set(['login_success']))
    const future = await runCli([
      'audit',
      'export',
      '--since',
      '2999-01-01',
      '--database',
      database,
    ])
    expect(future).toMatchObject({ code: 0, stdout: '' })

    for (const bad of [
      ['--since', 'yesterday'],
      ['--until', '12'],
      ['--type', 'coffee_break'],
    ]) {
      const res = await runCli(['audit', 'export', ...bad, '--database', database])
      expect(res.code, bad.join(' ')).toBe(2)
      expect(res.stderr).toContain('usage: gatehouse audit export')
    }
  })

  it('explains its usage on unknown commands and flags', async () => {
    const unknown = await runCli(['frobnicate'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('Usage: gatehouse')
    const flag = await runCli(['serve', '--no-such-flag'])
    expect(flag.code).toBe(2)
    expect((await runCli(['--help'])).code).toBe(0)
  })
})
