import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cleanEnv, runCli, startServer, tempDir } from '../helpers/cli.js'

const dirs: { remove(): void }[] = []
afterAll(() => {
  for (const d of dirs.splice(0)) d.remove()
})
function freshDir() {
  const d = tempDir()
  dirs.push(d)
  return d.dir
}

async function loginToken(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as { access_token: string }).access_token
}

describe('gatehouse serve', () => {
  it('exits 0 on SIGTERM, and after a restart its keys and tokens still verify', async () => {
    const database = join(freshDir(), 'gh.db')
    // The port differs between runs, so pin the issuer: tokens carry it.
    const issuer = 'http://gatehouse.test'
    const first = await startServer(['--demo', '--database', database, '--issuer', issuer])
    const token = await loginToken(first.url, 'user1', 'password1')
    const jwksBefore: unknown = await (await fetch(`${first.url}/.well-known/jwks.json`)).json()
    expect(await first.stop()).toBe(0)

    const second = await startServer(['--database', database, '--issuer', issuer])
    try {
      expect(await (await fetch(`${second.url}/.well-known/jwks.json`)).json()).toEqual(jwksBefore)
      const res = await fetch(`${second.url}/protected`, {
        headers: { authorization: `Bearer ${token}` },
      })
      expect(res.status).toBe(200)
    } finally {
      expect(await second.stop()).toBe(0)
    }
  })

  it('refuses to start with a secret other than the one its keys were sealed with', async () => {
    const database = join(freshDir(), 'gh.db')
    const env = cleanEnv({ GATEHOUSE_SECRET: 'first secret that is long enough 0123456789' })
    expect((await runCli(['migrate', '--database', database], { env })).code).toBe(0)
    const server = await startServer(['--database', database], { env })
    await server.stop()
    const wrong = await runCli(['serve', '--port', '0', '--database', database], {
      env: cleanEnv({ GATEHOUSE_SECRET: 'another secret that is long enough abcdefgh' }),
    })
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toMatch(/GATEHOUSE_SECRET does not match/)
  })

  it('names the setting when the configuration is invalid', async () => {
    const env = cleanEnv({ GATEHOUSE_PORT: 'eighty' })
    const res = await runCli(['serve', '--database', ':memory:'], { env })
    expect(res.code).toBe(2)
    expect(res.stderr).toMatch(/GATEHOUSE_PORT \(--port\)/)
    const alg = await runCli(['serve', '--database', ':memory:'], {
      env: cleanEnv({ GATEHOUSE_SIGNING_ALG: 'none' }),
    })
    expect(alg.code).toBe(2)
    expect(alg.stderr).toMatch(/GATEHOUSE_SIGNING_ALG/)
  })
})

// Each test starts its own processes: they run side by side (a process each, on two cores).
describe.concurrent('production safety', () => {
  const production = (extra: Record<string, string> = {}) =>
    cleanEnv({ NODE_ENV: 'production', ...extra })

  it('refuses to start without a secret, or with a weak or well-known one', async ({ expect }) => {
    const secrets = [undefined, 'short', 'your_jwt_secret_key', 'a'.repeat(40)]
    const answers = await Promise.all(
      secrets.map((secret) =>
        runCli(['serve', '--port', '0', '--database', ':memory:'], {
          env: production(secret === undefined ? {} : { GATEHOUSE_SECRET: secret }),
        }),
      ),
    )
    for (const [i, res] of answers.entries()) {
      const secret = secrets[i]
      expect(res.code, String(secret)).toBe(2)
      expect(res.stderr).toMatch(/GATEHOUSE_SECRET is required in production/)
      if (secret) expect(res.stderr).not.toContain(secret)
    }
  })

  it('refuses --demo', async ({ expect }) => {
    const env = production({ GATEHOUSE_SECRET: 'k4Jd9!x2Vb7#Qm1Zr8@Tn5$Hw3^Lp6&Cy0' })
    const res = await runCli(['serve', '--demo', '--port', '0', '--database', ':memory:'], { env })
    expect(res.code).toBe(2)
    expect(res.stderr).toMatch(/--demo .* refused when NODE_ENV=production/)
  })

  // Issue 11, point 4: /metrics is not for everyone in production.
  it('refuses open metrics: a metrics token (or metrics off) is required', async ({ expect }) => {
    const env = production({
      GATEHOUSE_SECRET: 'k4Jd9!x2Vb7#Qm1Zr8@Tn5$Hw3^Lp6&Cy0',
      GATEHOUSE_EMAIL_VERIFICATION: 'off',
    })
    const res = await runCli(['serve', '--port', '0', '--database', ':memory:'], { env })
    expect(res.code).toBe(2)
    expect(res.stderr).toMatch(/GATEHOUSE_METRICS_TOKEN is required in production/)
  })

  it('refuses mail with nowhere to go: SMTP (or email verification off) is required', async ({
    expect,
  }) => {
    const env = production({
      GATEHOUSE_SECRET: 'k4Jd9!x2Vb7#Qm1Zr8@Tn5$Hw3^Lp6&Cy0',
      GATEHOUSE_METRICS: 'false',
    })
    const res = await runCli(['serve', '--port', '0', '--database', ':memory:'], { env })
    expect(res.code).toBe(2)
    expect(res.stderr).toMatch(/GATEHOUSE_EMAIL_VERIFICATION=optional sends mail/)
    expect(res.stderr).toMatch(/GATEHOUSE_SMTP_URL/)
  })

  it('starts with a strong secret and generates no secret file', async ({ expect }) => {
    const dir = freshDir()
    const env = production({
      GATEHOUSE_SECRET: 'k4Jd9!x2Vb7#Qm1Zr8@Tn5$Hw3^Lp6&Cy0',
      GATEHOUSE_METRICS_TOKEN: 'scrape-token-0123456789',
      GATEHOUSE_EMAIL_VERIFICATION: 'off',
    })
    const server = await startServer(['--database', join(dir, 'gh.db')], { env })
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    expect(await server.stop()).toBe(0)
    expect(() => readFileSync(join(dir, 'gh.db.secret'))).toThrow()
  })
})
