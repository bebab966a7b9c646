import Type, { type Static } from 'typebox'

/**
 * Every setting, once: its type, default, environment variable, command-line flag and a
 * one-line description. `docs/configuration.md` is checked against this table by a test.
 */
export const settings = {
  host: {
    env: 'GATEHOUSE_HOST',
    flag: 'host',
    schema: Type.String({ minLength: 1, default: '127.0.0.1' }),
    description: 'Interface to listen on.',
  },
  port: {
    env: 'GATEHOUSE_PORT',
    flag: 'port',
    schema: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    description: 'TCP port to listen on (0 picks a free port).',
  },
  database: {
    env: 'DATABASE_URL',
    flag: 'database',
    schema: Type.String({ minLength: 1, default: './gatehouse.db' }),
    description: 'SQLite file path (`:memory:` for a throw-away database) or a `postgres://` URL.',
  },
  redis: {
    env: 'REDIS_URL',
    flag: 'redis',
    schema: Type.Optional(Type.String({ pattern: '^rediss?://' })),
    description:
      'Redis for several instances: shared rate limits and lockouts, revocations and key changes seen by every instance at once.',
  },
  redisPrefix: {
    env: 'GATEHOUSE_REDIS_PREFIX',
    flag: null,
    schema: Type.String({ minLength: 1, maxLength: 64, default: 'gatehouse:' }),
    description: 'Prefix of every Redis key and channel, for deployments sharing one Redis.',
  },
  secret: {
    env: 'GATEHOUSE_SECRET',
    flag: null,
    schema: Type.Optional(Type.String({ minLength: 1 })),
    description:
      'Server secret that encrypts signing keys at rest. Required in production (≥ 32 characters) and with PostgreSQL; in development on SQLite it is generated next to the database.',
  },
  workers: {
    env: 'GATEHOUSE_WORKERS',
    flag: 'workers',
    schema: Type.Integer({ minimum: 0, maximum: 256, default: 1 }),
    description:
      'Server processes sharing the port (node:cluster); 0 = one per CPU core. They share state through the primary process, or Redis.',
  },
  demo: {
    env: 'GATEHOUSE_DEMO',
    flag: 'demo',
    schema: Type.Boolean({ default: false }),
    description:
      "Create the tutorial's users (user1, user2, admin) when absent. Refused in production.",
  },
  issuer: {
    env: 'GATEHOUSE_ISSUER',
    flag: 'issuer',
    schema: Type.Optional(Type.String({ minLength: 1 })),
    description:
      '`iss` of issued tokens and the RFC 8414 issuer: the http(s) URL clients reach Gatehouse at. Default `http://HOST:PORT` on SQLite; required with PostgreSQL.',
  },
  audience: {
    env: 'GATEHOUSE_AUDIENCE',
    flag: null,
    schema: Type.String({ minLength: 1, default: 'gatehouse' }),
    description: '`aud` of issued access tokens; resource servers check it.',
  },
  signingAlg: {
    env: 'GATEHOUSE_SIGNING_ALG',
    flag: null,
    schema: Type.Union([Type.Literal('EdDSA'), Type.Literal('ES256'), Type.Literal('RS256')], {
      default: 'EdDSA',
    }),
    description:
      'Algorithm of new signing keys; also the only algorithm accepted when verifying (EdDSA, ES256 or RS256).',
  },
  accessTtl: {
    unit: 'seconds',
    env: 'GATEHOUSE_ACCESS_TTL',
    flag: null,
    // 15 minutes: short enough that a leaked token is soon worthless, long enough that
    // clients do not refresh constantly (RFC 9700 §4.14, OWASP JWT cheat sheet).
    // Any value from 1 s: teams test their own refresh logic with tokens that expire at once.
    schema: Type.Integer({ minimum: 1, maximum: 86_400, default: 900 }),
    description: 'Access-token lifetime in seconds (1 to 86400).',
  },
  refreshTtl: {
    unit: 'seconds',
    env: 'GATEHOUSE_REFRESH_TTL',
    flag: null,
    schema: Type.Integer({ minimum: 60, maximum: 31_536_000, default: 2_592_000 }),
    description: 'Refresh-token (session) lifetime in seconds.',
  },
  sessionMaxAge: {
    unit: 'seconds',
    env: 'GATEHOUSE_SESSION_MAX_AGE',
    flag: null,
    // An absolute end bounds how long one stolen refresh chain can be kept alive.
    schema: Type.Integer({ minimum: 60, maximum: 31_536_000, default: 7_776_000 }),
    description: 'Absolute session lifetime in seconds, however often it is refreshed.',
  },
  reuseWindow: {
    unit: 'seconds',
    env: 'GATEHOUSE_REUSE_WINDOW',
    flag: null,
    // Long enough for two tabs or a retried request to refresh the same token at once,
    // short enough that a stolen, already-used token is detected (docs/decisions/0003).
    schema: Type.Integer({ minimum: 0, maximum: 300, default: 10 }),
    description:
      'Seconds after a rotation during which the old refresh token gets the same successor instead of revoking the session.',
  },
  leeway: {
    unit: 'seconds',
    env: 'GATEHOUSE_LEEWAY',
    flag: null,
    // A few seconds absorbs clock skew between hosts without meaningfully extending
    // a token's life (RFC 7519 §4.1.4 "some small leeway").
    schema: Type.Integer({ minimum: 0, maximum: 300, default: 5 }),
    description: 'Clock skew in seconds accepted on `exp` and `nbf`.',
  },
  keyRotationInterval: {
    unit: 'seconds',
    env: 'GATEHOUSE_KEY_ROTATION_INTERVAL',
    flag: null,
    schema: Type.Integer({ minimum: 0, maximum: 31_536_000, default: 0 }),
    description:
      'Rotate the signing key automatically when the current one is this many seconds old (0 = only on demand).',
  },
  ipLimitPerMinute: {
    env: 'GATEHOUSE_IP_LIMIT_PER_MINUTE',
    flag: null,
    schema: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 60 }),
    description:
      'Requests per minute one client IP may make to /login, /register and /oauth/token (0 = off).',
  },
  lockoutThreshold: {
    env: 'GATEHOUSE_LOCKOUT_THRESHOLD',
    flag: null,
    // OWASP Authentication Cheat Sheet: slow guessing per account without letting anyone
    // lock a victim out for long; the delay doubles per failure, capped at 15 minutes.
    schema: Type.Integer({ minimum: 0, maximum: 1000, default: 5 }),
    description:
      'Failed logins per username before each further attempt must wait (1 s, doubling, at most 15 min); 0 = off.',
  },
  cookieSecure: {
    env: 'GATEHOUSE_COOKIE_SECURE',
    flag: null,
    schema: Type.Boolean({ default: true }),
    description:
      'Mark cookies `Secure`. Set false only for http://localhost development; refused in production.',
  },
  cookieSameSite: {
    env: 'GATEHOUSE_COOKIE_SAMESITE',
    flag: null,
    schema: Type.Union([Type.Literal('lax'), Type.Literal('strict'), Type.Literal('none')], {
      default: 'lax',
    }),
    description: '`SameSite` of the token cookies (lax, strict or none; none requires Secure).',
  },
  smtpUrl: {
    env: 'GATEHOUSE_SMTP_URL',
    flag: null,
    schema: Type.Optional(Type.String({ pattern: '^smtps?://' })),
    description:
      'SMTP server for mail: `smtp://` (STARTTLS when offered) or `smtps://`, user and password in the URL. Without it mail stays in the outbox (`gatehouse mail outbox`).',
  },
  mailFrom: {
    env: 'GATEHOUSE_MAIL_FROM',
    flag: null,
    schema: Type.String({
      minLength: 3,
      maxLength: 254,
      default: 'Gatehouse <gatehouse@localhost>',
    }),
    description: '`From` of every message, e.g. `Acme <no-reply@acme.example>`.',
  },
  emailVerification: {
    env: 'GATEHOUSE_EMAIL_VERIFICATION',
    flag: null,
    schema: Type.Union([Type.Literal('off'), Type.Literal('optional'), Type.Literal('required')], {
      default: 'optional',
    }),
    description:
      '`off`: no verification mail; `optional`: a link is mailed when an address is given; `required`: registration needs an address, and a correct password of a user whose address is unverified gets 403 `email_not_verified`.',
  },
  emailVerifyTtl: {
    env: 'GATEHOUSE_EMAIL_VERIFY_TTL',
    flag: null,
    schema: Type.Integer({ minimum: 300, maximum: 30 * 86400, default: 86400 }),
    description: 'Seconds a link to verify an address stays valid (one outstanding per user).',
  },
  passwordResetTtl: {
    env: 'GATEHOUSE_PASSWORD_RESET_TTL',
    flag: null,
    schema: Type.Integer({ minimum: 300, maximum: 86400, default: 1800 }),
    description:
      'Seconds a link to reset a password stays valid (one outstanding per user; any password change ends it).',
  },
  emailLimitPerHour: {
    env: 'GATEHOUSE_EMAIL_RATE_LIMIT',
    flag: null,
    schema: Type.Integer({ minimum: 0, maximum: 1000, default: 5 }),
    description:
      'Links (password reset, verification, change of address) mailed to one address per hour, counted across instances; further requests get 429. 0 switches the limit off.',
  },
  mfaRequiredRoles: {
    env: 'GATEHOUSE_MFA_REQUIRED_ROLES',
    flag: null,
    schema: Type.String({ maxLength: 1024, pattern: '^[A-Za-z0-9_:., -]*$', default: '' }),
    description:
      'Roles (comma- or space-separated, e.g. `admin`) whose powers need a login that passed a second factor: a user holding one without a factor is sent to set one up, and their tokens without `mfa` in `amr` get 401 `mfa_required` where the role is needed.',
  },
  webauthnRpId: {
    env: 'GATEHOUSE_WEBAUTHN_RP_ID',
    flag: null,
    schema: Type.Optional(Type.String({ minLength: 1, maxLength: 253, pattern: '^[a-z0-9.-]+$' })),
    description:
      "The WebAuthn relying party ID passkeys are bound to: a domain, by default the issuer's host. Changing it later makes every registered passkey unusable.",
  },
  webauthnOrigins: {
    env: 'GATEHOUSE_WEBAUTHN_ORIGINS',
    flag: null,
    schema: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    description:
      "Comma-separated origins (`https://app.example.com`) whose pages may use passkeys; by default the issuer's origin.",
  },
  ui: {
    env: 'GATEHOUSE_UI',
    flag: null,
    schema: Type.Boolean({ default: true }),
    description:
      'Serve the hosted pages under `/ui/` (sign-in, sign-up, account, admin). false for API-only deployments.',
  },
  uiName: {
    env: 'GATEHOUSE_UI_NAME',
    flag: null,
    schema: Type.String({ minLength: 1, maxLength: 60, default: 'Gatehouse' }),
    description: 'Product name shown on the hosted pages and in their titles.',
  },
  uiAccent: {
    env: 'GATEHOUSE_UI_ACCENT',
    flag: null,
    schema: Type.String({ pattern: '^#[0-9a-fA-F]{6}$', default: '#3b4fd8' }),
    description:
      'Accent colour of the hosted pages, as `#rrggbb` (buttons and links; keep it dark enough for white text).',
  },
  trustProxy: {
    env: 'GATEHOUSE_TRUST_PROXY',
    flag: null,
    // A bare `true` would trust the leftmost X-Forwarded-For entry, which any client
    // chooses: it is refused (see parseTrustProxy).
    schema: Type.String({ minLength: 1, default: 'false' }),
    description:
      'Proxies in front of Gatehouse whose `X-Forwarded-For` is trusted: a hop count (`1` for one proxy) or a comma-separated list of proxy addresses/CIDRs; `false` = none.',
  },
  requestTimeout: {
    unit: 'seconds',
    env: 'GATEHOUSE_REQUEST_TIMEOUT',
    flag: null,
    // Slow clients (slowloris) must not hold connections: headers and body together must
    // arrive within this bound, or the connection is answered 408 and closed.
    schema: Type.Integer({ minimum: 1, maximum: 3600, default: 10 }),
    description:
      'Seconds a client has to send a whole request (headers and body); slower ones get 408 and are disconnected.',
  },
  keepAliveTimeout: {
    unit: 'seconds',
    env: 'GATEHOUSE_KEEP_ALIVE_TIMEOUT',
    flag: null,
    schema: Type.Integer({ minimum: 1, maximum: 3600, default: 72 }),
    description:
      'Seconds an idle keep-alive connection stays open (above the 60 s of common load balancers).',
  },
  maxConnections: {
    env: 'GATEHOUSE_MAX_CONNECTIONS',
    flag: null,
    // Below the usual file-descriptor limits, so connections alone cannot exhaust them.
    schema: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 4096 }),
    description:
      'Open connections one server process accepts; more are closed at once. Keep it below `ulimit -n`.',
  },
  shutdownTimeout: {
    unit: 'seconds',
    env: 'GATEHOUSE_SHUTDOWN_TIMEOUT',
    flag: null,
    schema: Type.Integer({ minimum: 1, maximum: 3600, default: 10 }),
    description:
      'Seconds SIGTERM waits for in-flight requests (and the store and Redis to close) before the process exits anyway.',
  },
  metrics: {
    env: 'GATEHOUSE_METRICS',
    flag: null,
    schema: Type.Boolean({ default: true }),
    description: 'Serve Prometheus metrics at `GET /metrics`.',
  },
  metricsToken: {
    env: 'GATEHOUSE_METRICS_TOKEN',
    flag: null,
    // RFC 6750 token characters, so the token can be sent in a Bearer header.
    schema: Type.Optional(Type.String({ minLength: 16, pattern: '^[A-Za-z0-9._~+/-]+=*$' })),
    description:
      'When set, `GET /metrics` needs `Authorization: Bearer <this token>` (at least 16 token characters). Required in production unless metrics are off.',
  },
  auditRetentionDays: {
    env: 'GATEHOUSE_AUDIT_RETENTION_DAYS',
    flag: null,
    schema: Type.Integer({ minimum: 0, maximum: 36500, default: 0 }),
    description:
      'Delete audit events older than this many days (checked every minute); 0 keeps them forever.',
  },
  logLevel: {
    env: 'GATEHOUSE_LOG_LEVEL',
    flag: null,
    schema: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) =>
        Type.Literal(level),
      ),
      { default: 'info' },
    ),
    description: 'Log level (fatal, error, warn, info, debug, trace, silent).',
  },
  logFormat: {
    env: 'GATEHOUSE_LOG_FORMAT',
    flag: null,
    schema: Type.Union([Type.Literal('auto'), Type.Literal('pretty'), Type.Literal('json')], {
      default: 'auto',
    }),
    description:
      'Log lines as JSON (for collectors) or pretty (for people); auto = pretty when stdout is a terminal.',
  },
} as const

export type SettingName = keyof typeof settings

export const configSchema = Type.Object(
  Object.fromEntries(Object.entries(settings).map(([name, setting]) => [name, setting.schema])) as {
    [K in SettingName]: (typeof settings)[K]['schema']
  },
  { additionalProperties: false },
)

export type Settings = Static<typeof configSchema>

/** The validated, frozen configuration every layer receives. */
/** Fastify's `trustProxy`: no proxy, a hop count, or the proxies' addresses and CIDRs. */
export type TrustProxy = false | number | readonly string[]

export interface Config extends Readonly<
  Omit<Settings, 'issuer' | 'secret' | 'logLevel' | 'trustProxy'>
> {
  readonly issuer: string
  /** Whether the issuer was configured rather than derived from host and port. */
  readonly issuerConfigured: boolean
  readonly trustProxy: TrustProxy
  readonly logLevel: string
  /** The server secret (given or generated); never logged. */
  readonly secret: string
  /** Where a generated secret was written, when it was generated. */
  readonly generatedSecretFile: string | null
  readonly production: boolean
  /** Things worth telling the operator at start (unknown variables, …); never secrets. */
  readonly warnings: readonly string[]
}
