import { ConfigError } from '../errors/index.js'

/** Secrets that appear in tutorials and sample configs; never acceptable in production. */
const KNOWN_DEFAULT_SECRETS = new Set([
  'your_jwt_secret_key',
  'super-secret',
  'supersecret',
  'changeme',
  'change-me',
  'secret',
  'jwt_secret',
  'gatehouse',
])

const MIN_SECRET_LENGTH = 32
const MIN_DISTINCT_CHARACTERS = 12

/** Why a secret is not strong enough, or null when it is. */
export function describeWeakSecret(secret: string | undefined): string | null {
  if (secret === undefined || secret === '') return 'it is missing'
  if (KNOWN_DEFAULT_SECRETS.has(secret.toLowerCase())) return 'it is a well-known default'
  if (secret.length < MIN_SECRET_LENGTH) {
    return `it has ${secret.length} characters; at least ${MIN_SECRET_LENGTH} are required`
  }
  if (new Set(secret).size < MIN_DISTINCT_CHARACTERS) return 'it is too repetitive'
  return null
}

/** Refuse to start in production with settings that are only safe on a laptop. */
export function assertProductionSafe(settings: {
  secret?: string
  demo: boolean
  cookieSecure: boolean
  metrics: boolean
  metricsToken?: string
  emailVerification: 'off' | 'optional' | 'required'
  smtpUrl?: string
}): void {
  const weakness = describeWeakSecret(settings.secret)
  if (weakness !== null) {
    throw new ConfigError(
      `GATEHOUSE_SECRET is required in production and ${weakness}. ` +
        'Generate one with: openssl rand -base64 48',
    )
  }
  if (!settings.cookieSecure) {
    throw new ConfigError(
      'GATEHOUSE_COOKIE_SECURE=false sends tokens over plain HTTP and is refused when NODE_ENV=production',
    )
  }
  if (settings.demo) {
    throw new ConfigError(
      '--demo (GATEHOUSE_DEMO) creates users with known passwords and is refused when NODE_ENV=production',
    )
  }
  if (settings.emailVerification !== 'off' && settings.smtpUrl === undefined) {
    // In production the outbox is a dead end: people would wait for mail that never comes.
    throw new ConfigError(
      `GATEHOUSE_EMAIL_VERIFICATION=${settings.emailVerification} sends mail, and production has no ` +
        'outbox reader: set GATEHOUSE_SMTP_URL (smtp:// or smtps://), or GATEHOUSE_EMAIL_VERIFICATION=off',
    )
  }
  if (settings.metrics && settings.metricsToken === undefined) {
    // Metrics describe traffic, errors and login outcomes; they are not for everyone.
    throw new ConfigError(
      'GATEHOUSE_METRICS_TOKEN is required in production while metrics are on: /metrics ' +
        'would be open to anyone. Set a token (openssl rand -base64 32) that your ' +
        'Prometheus sends as a bearer token, or GATEHOUSE_METRICS=false',
    )
  }
}
