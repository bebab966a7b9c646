import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { describeWeakSecret } from '../../src/config/production.js'
import { ConfigError } from '../../src/errors.js'

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
    expect(() => loadConfig({ env: { GATEHOUSE_ACCESS_TTL: '5' }, overrides: base })).toThrow(
      /GATEHOUSE_ACCESS_TTL/,
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
    const strong = { ...production, GATEHOUSE_SECRET: 'k4Jd9!x2Vb7#Qm1Zr8@Tn5$Hw3^Lp6&Cy0' }
    expect(loadConfig({ env: strong, overrides: base }).production).toBe(true)
    expect(() =>
      loadConfig({ env: { ...strong, GATEHOUSE_DEMO: 'true' }, overrides: base }),
    ).toThrow(/--demo/)
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
