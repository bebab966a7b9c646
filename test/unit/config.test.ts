import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { describeWeakSecret } from '../../src/config/production.js'
import { ConfigError } from '../../src/errors/index.js'

const base = { database: ':memory:' }

describe('loadConfig', () => {
  it('has working defaults and derives the issuer from host and port', () => {
    const config = loadConfig({ env: {}, overrides: base })
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      issuer: 'http://127.0.0.1:8080',
      audience: 'gatehouse',
      signingAlg: 'EdDSA',
      accessTtl: 900,
      leeway: 5,
      demo: false,
      production: false,
    })
    expect(config.secret.length).toBeGreaterThanOrEqual(32)
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('reads the environment, converts types, and lets flags win', () => {
    const config = loadConfig({
      env: {
        GATEHOUSE_PORT: '9000',
        GATEHOUSE_ACCESS_TTL: '600',
        GATEHOUSE_DEMO: 'true',
        GATEHOUSE_ISSUER: 'https://auth.example.com/',
      },
      overrides: { ...base, port: '9100' },
    })
    expect(config).toMatchObject({
      port: 9100,
      accessTtl: 600,
      demo: true,
      issuer: 'https://auth.example.com',
    })
  })

  it('names the setting and the value when something is wrong', () => {
    expect(() => loadConfig({ env: { GATEHOUSE_PORT: '80x' }, overrides: base })).toThrow(
      /GATEHOUSE_PORT \(--port\).*"80x"/,
    )
    expect(() => loadConfig({ env: { GATEHOUSE_ACCESS_TTL: '0' }, overrides: base })).toThrow(
      /GATEHOUSE_ACCESS_TTL: must be a whole number of seconds from 1 to 86400 \(got "0"\)/,
    )
    expect(() => loadConfig({ env: { GATEHOUSE_LEEWAY: '-1' }, overrides: base })).toThrow(
      /GATEHOUSE_LEEWAY/,
    )
    expect(() => loadConfig({ env: {}, overrides: { ...base, nonsense: 1 } as never })).toThrow(
      /unknown setting "nonsense"/,
    )
  })

  it('refuses production without a strong secret or with demo users, without echoing the secret', () => {
    const production = { NODE_ENV: 'production' }
    expect(() => loadConfig({ env: production, overrides: base })).toThrow(ConfigError)
    try {
      loadConfig({ env: { ...production, GATEHOUSE_SECRET: 'hunter2hunter2' }, overrides: base })
      expect.unreachable()
    } catch (error) {
      expect(String(error)).toMatch(/GATEHOUSE_SECRET/)
      expect(String(error)).not.toContain('hunter2')
    }
    const strong = {
      ...production,
      GATEHOUSE_SECRET: 'k4Jd9!x2Vb7#Qm1Zr8@Tn5$Hw3^Lp6&Cy0',
      GATEHOUSE_METRICS_TOKEN: 'scrape-token-0123456789',
      GATEHOUSE_SMTP_URL: 'smtps://mailer:pw@mail.example.com',
    }
    expect(loadConfig({ env: strong, overrides: base }).production).toBe(true)
    // Mail with nobody to read the outbox: refused, unless verification is off.
    const { GATEHOUSE_SMTP_URL: _smtp, ...noSmtp } = strong
    expect(() => loadConfig({ env: noSmtp, overrides: base })).toThrow(
      /GATEHOUSE_EMAIL_VERIFICATION=optional sends mail.*GATEHOUSE_SMTP_URL/,
    )
    expect(
      loadConfig({ env: { ...noSmtp, GATEHOUSE_EMAIL_VERIFICATION: 'off' }, overrides: base })
        .production,
    ).toBe(true)
    // Issue 11, point 4: open metrics are refused in production.
    expect(() =>
      loadConfig({ env: { ...strong, GATEHOUSE_METRICS_TOKEN: '' }, overrides: base }),
    ).toThrow(/GATEHOUSE_METRICS_TOKEN is required in production/)
    expect(
      loadConfig({
        env: { ...strong, GATEHOUSE_METRICS_TOKEN: '', GATEHOUSE_METRICS: 'false' },
        overrides: base,
      }).production,
    ).toBe(true)
    expect(() =>
      loadConfig({ env: { ...strong, GATEHOUSE_DEMO: 'true' }, overrides: base }),
    ).toThrow(/--demo/)
  })
})

// Issue 11, point 3: a bare `true` let any client choose its IP.
describe('GATEHOUSE_TRUST_PROXY', () => {
  const trust = (value: string) =>
    loadConfig({ env: { GATEHOUSE_TRUST_PROXY: value }, overrides: base }).trustProxy

  it('takes false, a hop count, or proxy addresses and CIDRs', () => {
    expect(loadConfig({ env: {}, overrides: base }).trustProxy).toBe(false)
    expect(trust('false')).toBe(false)
    expect(trust('1')).toBe(1)
    expect(trust('10.0.0.0/8, 127.0.0.1,::1')).toEqual(['10.0.0.0/8', '127.0.0.1', '::1'])
  })

  it('refuses true and says what to set instead; refuses what is not an address', () => {
    expect(() => trust('true')).toThrow(/any client choose its own IP.*number of proxies/)
    expect(() => trust('proxy.internal')).toThrow(/not an IP address or CIDR/)
  })
})

// Issue 11, points 12 and 16.
describe('start-up mistakes named in words', () => {
  it('requires the issuer with PostgreSQL, and checks that it is an http(s) URL', () => {
    const postgres = { database: 'postgres://db.internal/gatehouse' }
    const env = { GATEHOUSE_SECRET: 'k4Jd9!x2Vb7#Qm1Zr8@Tn5$Hw3^Lp6&Cy0' }
    expect(() => loadConfig({ env, overrides: postgres })).toThrow(
      /GATEHOUSE_ISSUER \(--issuer\) is required with PostgreSQL/,
    )
    expect(
      loadConfig({ env, overrides: { ...postgres, issuer: 'https://auth.example.com' } }).issuer,
    ).toBe('https://auth.example.com')
    for (const issuer of ['auth.example.com', 'ftp://x', 'https://x/?a=1', 'https://x/#f']) {
      expect(() => loadConfig({ env: {}, overrides: { ...base, issuer } }), issuer).toThrow(
        /GATEHOUSE_ISSUER \(--issuer\): must be an http\(s\) URL/,
      )
    }
  })

  it('lists the allowed values of enumerations and says when a number is seconds', () => {
    expect(() => loadConfig({ env: { GATEHOUSE_SIGNING_ALG: 'HS256' }, overrides: base })).toThrow(
      /GATEHOUSE_SIGNING_ALG: must be one of: EdDSA, ES256, RS256 \(got "HS256"\)/,
    )
    expect(() => loadConfig({ env: { GATEHOUSE_REUSE_WINDOW: '10s' }, overrides: base })).toThrow(
      /GATEHOUSE_REUSE_WINDOW: must be a whole number of seconds from 0 to 300/,
    )
    expect(() => loadConfig({ env: { GATEHOUSE_DEMO: 'yes please' }, overrides: base })).toThrow(
      /GATEHOUSE_DEMO \(--demo\): must be true or false/,
    )
  })

  it('warns about GATEHOUSE_ variables no setting reads, naming the nearest one', () => {
    const config = loadConfig({
      env: { GATEHOUSE_ACCES_TTL: '60', GATEHOUSE_ZZZZZZZZZZZZZZZZZZZZZZZZZ: '1', HOME: '/root' },
      overrides: base,
    })
    expect(config.warnings).toEqual([
      'GATEHOUSE_ACCES_TTL is not a Gatehouse setting and is ignored; did you mean GATEHOUSE_ACCESS_TTL?',
      'GATEHOUSE_ZZZZZZZZZZZZZZZZZZZZZZZZZ is not a Gatehouse setting and is ignored',
    ])
  })

  it('catches a database URL of another scheme and a directory that does not exist', () => {
    expect(() => loadConfig({ env: {}, overrides: { database: 'postgress://x/y' } })).toThrow(
      /"postgress:\/\/" is not a database Gatehouse knows \(did you mean postgres:\/\/\?\)/,
    )
    expect(() =>
      loadConfig({ env: {}, overrides: { database: '/no/such/directory/gatehouse.db' } }),
    ).toThrow(/the directory \/no\/such\/directory does not exist/)
  })
})

describe('describeWeakSecret', () => {
  it.each([
    [undefined, /missing/],
    ['changeme', /well-known/],
    ['0123456789abcdef', /at least 32/],
    ['abababababababababababababababababab', /repetitive/],
  ])('refuses %s', (secret, reason) => {
    expect(describeWeakSecret(secret)).toMatch(reason)
  })

  it('accepts 48 random bytes in base64', () => {
    expect(describeWeakSecret('q3Vx1N2hZ8y0mK5r7T4wE6uJ9cL2bA1sD8fG3hJ5kL7zX9vB')).toBeNull()
  })
})
