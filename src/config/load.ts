import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import Value from 'typebox/value'
import { ConfigError } from '../errors.js'
import { isPostgresUrl } from './database.js'
import { assertProductionSafe } from './production.js'
import { configSchema, settings, type Config, type SettingName, type Settings } from './schema.js'

export interface LoadConfigOptions {
  /** Environment variables; usually `process.env`. */
  env?: Record<string, string | undefined>
  /** Command-line flags or programmatic overrides; they win over the environment. */
  overrides?: Partial<Record<SettingName, unknown>>
}

/** Settings whose values never appear in an error message. */
const SECRET_SETTINGS: ReadonlySet<SettingName> = new Set(['secret', 'metricsToken'])

/**
 * Build the configuration from defaults, then the environment, then overrides; validate it
 * once, apply the production checks and freeze it. Throws `ConfigError` naming the setting.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? {}
  const raw: Record<string, unknown> = {}
  for (const [name, setting] of Object.entries(settings)) {
    const fromEnv = env[setting.env]
    if (fromEnv !== undefined && fromEnv !== '') raw[name] = fromEnv
    const override = options.overrides?.[name as SettingName]
    if (override !== undefined) raw[name] = override
  }
  for (const name of Object.keys(options.overrides ?? {})) {
    if (!(name in settings)) throw new ConfigError(`unknown setting "${name}"`)
  }

  const converted: unknown = Value.Convert(configSchema, Value.Default(configSchema, raw))
  if (!Value.Check(configSchema, converted)) {
    const [first] = Value.Errors(configSchema, converted)
    const name = (first?.instancePath.split('/')[1] ?? '') as SettingName
    const setting = settings[name]
    const where = setting ? describeSource(name) : 'configuration'
    const shown = SECRET_SETTINGS.has(name) ? '' : ` (got ${JSON.stringify(raw[name])})`
    throw new ConfigError(`${where}: ${first?.message ?? 'is invalid'}${shown}`)
  }
  const valid: Settings = converted

  if (valid.cookieSameSite === 'none' && !valid.cookieSecure) {
    throw new ConfigError(
      'GATEHOUSE_COOKIE_SAMESITE=none requires GATEHOUSE_COOKIE_SECURE=true (browsers drop such cookies otherwise)',
    )
  }
  const production = env['NODE_ENV'] === 'production'
  if (production) assertProductionSafe(valid)

  const { secret, generatedSecretFile } = resolveSecret(valid.secret, valid.database)
  return Object.freeze({
    ...valid,
    issuer: stripTrailingSlash(valid.issuer ?? `http://${hostForUrl(valid.host)}:${valid.port}`),
    secret,
    generatedSecretFile,
    production,
  })
}

function describeSource(name: SettingName): string {
  const setting = settings[name]
  return setting.flag ? `${setting.env} (--${setting.flag})` : setting.env
}

/**
 * Development convenience: with no secret configured, generate one and keep it next to the
 * database (mode 0600) so signing keys encrypted with it survive restarts. Production never
 * gets here without an explicit strong secret (`assertProductionSafe`).
 */
function resolveSecret(
  configured: string | undefined,
  database: string,
): { secret: string; generatedSecretFile: string | null } {
  if (configured !== undefined) return { secret: configured, generatedSecretFile: null }
  if (isPostgresUrl(database)) {
    throw new ConfigError(
      'GATEHOUSE_SECRET is required with PostgreSQL: every instance must use the same one ' +
        '(generate it with: openssl rand -base64 48)',
    )
  }
  if (database === ':memory:') {
    return { secret: randomBytes(32).toString('base64url'), generatedSecretFile: null }
  }
  const file = `${database}.secret`
  if (existsSync(file)) {
    return { secret: readFileSync(file, 'utf8').trim(), generatedSecretFile: null }
  }
  const secret = randomBytes(48).toString('base64url')
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  return { secret, generatedSecretFile: file }
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

function stripTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url
}
