import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import Value from 'typebox/value'
import { ConfigError } from '../errors/index.js'
import { assertDatabaseLocation, isPostgresUrl } from './database.js'
import { describeSettingError } from './messages.js'
import { assertProductionSafe } from './production.js'
import {
  configSchema,
  settings,
  type Config,
  type SettingName,
  type Settings,
  type TrustProxy,
} from './schema.js'
import { unknownVariableWarnings } from './unknown-variables.js'

export interface LoadConfigOptions {
  /** Environment variables; usually `process.env`. */
  env?: Record<string, string | undefined>
  /** Command-line flags or programmatic overrides; they win over the environment. */
  overrides?: Partial<Record<SettingName, unknown>>
  /**
   * Refuse a SQLite path where no database exists yet, instead of creating one (and its
   * secret) there: commands other than `serve` and `migrate` must not create a database at
   * a mistyped path. Default false.
   */
  databaseMustExist?: boolean
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

  const converted: unknown = Value.Convert(configSchema, Value.Default(configSchema, { ...raw }))
  if (!Value.Check(configSchema, converted)) {
    const [first] = Value.Errors(configSchema, converted)
    const name = (first?.instancePath.split('/')[1] ?? '') as SettingName
    if (!(name in settings)) throw new ConfigError(`configuration: ${first?.message ?? 'invalid'}`)
    const shown = SECRET_SETTINGS.has(name) ? '' : ` (got ${JSON.stringify(raw[name])})`
    throw new ConfigError(`${describeSource(name)}: ${describeSettingError(name)}${shown}`)
  }
  const valid: Settings = converted

  if (valid.cookieSameSite === 'none' && !valid.cookieSecure) {
    throw new ConfigError(
      'GATEHOUSE_COOKIE_SAMESITE=none requires GATEHOUSE_COOKIE_SECURE=true (browsers drop such cookies otherwise)',
    )
  }
  const trustProxy = parseTrustProxy(valid.trustProxy)
  if (valid.issuer !== undefined) assertIssuerUrl(valid.issuer)
  assertDatabaseLocation(valid.database, options.databaseMustExist ?? false)
  if (isPostgresUrl(valid.database) && valid.issuer === undefined) {
    // Instances that guessed different issuers would silently reject each other's tokens.
    throw new ConfigError(
      'GATEHOUSE_ISSUER (--issuer) is required with PostgreSQL: every instance sharing the ' +
        'database must name the same public URL (for example https://auth.example.com)',
    )
  }
  const production = env['NODE_ENV'] === 'production'
  if (production) assertProductionSafe(valid)

  const { secret, generatedSecretFile } = resolveSecret(valid.secret, valid.database)
  return Object.freeze({
    ...valid,
    trustProxy,
    issuer: stripTrailingSlash(valid.issuer ?? `http://${hostForUrl(valid.host)}:${valid.port}`),
    issuerConfigured: valid.issuer !== undefined,
    secret,
    generatedSecretFile,
    production,
    warnings: Object.freeze(unknownVariableWarnings(env)),
  })
}

function describeSource(name: SettingName): string {
  const setting = settings[name]
  return setting.flag ? `${setting.env} (--${setting.flag})` : setting.env
}

const ADDRESS_OR_CIDR = /^(?:[0-9.]+|[0-9a-f:.]+)(?:\/\d{1,3})?$/i

/**
 * `GATEHOUSE_TRUST_PROXY`: `false`, a hop count, or proxy addresses/CIDRs (what Fastify's
 * `trustProxy` takes). A bare `true` makes the leftmost `X-Forwarded-For` entry, which any
 * client writes, the client IP: per-IP limits and audit addresses would be the client's
 * choice. It is refused with a message that says what to set instead.
 */
export function parseTrustProxy(value: string): TrustProxy {
  const text = value.trim().toLowerCase()
  if (text === 'false' || text === '0' || text === 'none') return false
  if (text === 'true') {
    throw new ConfigError(
      'GATEHOUSE_TRUST_PROXY=true would let any client choose its own IP address ' +
        '(the leftmost X-Forwarded-For entry). Set the number of proxies in front of ' +
        'Gatehouse (e.g. 1) or their addresses (e.g. 10.0.0.0/8,127.0.0.1)',
    )
  }
  if (/^\d+$/.test(text)) return Number(text)
  const proxies = text.split(',').map((part) => part.trim())
  const wrong = proxies.find((part) => !ADDRESS_OR_CIDR.test(part))
  if (wrong !== undefined) {
    throw new ConfigError(
      `GATEHOUSE_TRUST_PROXY: "${wrong.slice(0, 64)}" is not an IP address or CIDR; ` +
        'use a hop count (e.g. 1) or comma-separated proxy addresses (e.g. 10.0.0.0/8,127.0.0.1)',
    )
  }
  return Object.freeze(proxies)
}

/** RFC 8414 §2: the issuer is an http(s) URL with no query or fragment. */
function assertIssuerUrl(issuer: string): void {
  let url: URL | undefined
  try {
    url = new URL(issuer)
  } catch {
    url = undefined
  }
  if (
    url === undefined ||
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== ''
  ) {
    throw new ConfigError(
      `GATEHOUSE_ISSUER (--issuer): must be an http(s) URL without query or fragment, such as https://auth.example.com (got ${JSON.stringify(issuer.slice(0, 200))})`,
    )
  }
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
