import cluster from 'node:cluster'
import type { AdditionalClaims, AuthSettings } from './auth/deps.js'
import { createAuth, type Auth } from './auth/context.js'
import type { ClusterEvent } from './auth/deps.js'
import { checkCapabilities, reactionsOf } from './auth/capability.js'
import { capabilities } from './capabilities/index.js'
import type { KeyPairSource } from './capabilities/keys/index.js'
import { refreshSigningKeys } from './capabilities/keys/index.js'
import { systemClock, type Clock } from './clock.js'
import { createLocalBus, type ClusterBus } from './cluster/bus.js'
import { createMemoryRevocationList } from './cluster/revocation-list.js'
import { DEFAULT_LOCKOUT_POLICY, type LockoutTracker, type RateLimiter } from './cluster/limiter.js'
import { createMemoryLockoutTracker, createMemoryRateLimiter } from './cluster/limiter-memory.js'
import { createWorkerState } from './cluster/ipc.js'
import { redactUrlPassword } from './config/database.js'
import type { Config } from './config/schema.js'
import { GatehouseError } from './errors/index.js'
import { createStore } from './store/create-store.js'
import type { Store } from './store/store.js'
import { createTelemetry, type Telemetry } from './auth/telemetry.js'
import { createSmtpTransport, type MailTransport } from './mail/transport.js'
import { createPasswordHasher, type PasswordHasher } from './tokens/password.js'

/** A running Gatehouse without HTTP: what `serve`, the plugin and the CLI share. */
export interface Core {
  config: Config
  store: Store
  /** The use cases' context: pass it to the use case you call. */
  auth: Auth
  clock: Clock
  /** Per-client request counters for the credential endpoints. */
  rateLimiter: RateLimiter
  /** Where use cases and guards report what happens; metrics attach a sink. */
  telemetry: Telemetry
  /** The SMTP server queued mail goes to; null without one (the outbox keeps it). */
  mailTransport: MailTransport | null
  /** Entries in this instance's in-memory revocation list (for metrics). */
  revocationCount(): number
  /** What the operator should hear at start (settings, Redis unreachable, …). */
  readonly warnings: readonly string[]
  /** Resolves when the store (and Redis, when configured) answer; throws service_unavailable. */
  ready(): Promise<void>
  close(): Promise<void>
}

export interface OpenCoreOptions {
  /** Use this store instead of the one `config.database` names; the caller closes it. */
  store?: Store
  clock?: Clock
  hasher?: PasswordHasher
  /** Extra claims for users' access tokens (reserved claims are refused). */
  additionalClaims?: AdditionalClaims
  /**
   * Where new signing key pairs come from. Default: generated with node:crypto (an RSA-3072
   * pair takes ~0.7 s); a test suite may hand out pairs made once.
   */
  generateKeyPair?: KeyPairSource
}

const REDIS_CONNECT_WAIT_MS = 3_000

interface SharedState {
  warnings: string[]
  rateLimiter: RateLimiter
  lockout: LockoutTracker
  bus: ClusterBus
  ping: () => Promise<void>
  close: () => Promise<void>
}

/** In memory for one process; through Redis (falling back to memory) for several. */
async function openSharedState(config: Config): Promise<SharedState> {
  const policy = { ...DEFAULT_LOCKOUT_POLICY, threshold: config.lockoutThreshold }
  const memory = {
    rateLimiter: createMemoryRateLimiter(),
    lockout: createMemoryLockoutTracker(policy),
  }
  const none = { warnings: [], ping: () => Promise.resolve(), close: () => Promise.resolve() }
  if (config.redis === undefined) {
    // A worker of `serve --workers N` shares through the primary; a lone process needs no one.
    if (cluster.isWorker) return { ...createWorkerState(), ...none }
    return { ...memory, bus: createLocalBus(), ...none }
  }
  // ioredis is loaded only when Redis is configured, so single instances start faster.
  const { createRedisCluster, lockoutWithFallback, withFallback } =
    await import('./cluster/redis.js')
  const redis = createRedisCluster(config.redis, config.redisPrefix)
  // Start degraded rather than not at all: while Redis is away, counters are per instance
  // and /readyz says so.
  const connected = await redis.connected(REDIS_CONNECT_WAIT_MS)
  return {
    warnings: connected
      ? []
      : [
          `Redis at ${redactUrlPassword(config.redis)} is unreachable: rate limits, lockouts and ` +
            'revocations are per instance until it answers, and /readyz answers 503',
        ],
    rateLimiter: withFallback(redis.rateLimiter, memory.rateLimiter),
    lockout: lockoutWithFallback(redis.lockout(policy), memory.lockout),
    bus: redis.bus,
    ping: () => redis.ping(),
    close: () => redis.close(),
  }
}

/** Opens the store, brings its schema up to date and loads the signing keys. */
export async function openCore(config: Config, options: OpenCoreOptions = {}): Promise<Core> {
  const store = options.store ?? createStore(config.database)
  const ownsStore = options.store === undefined
  const shared = await openSharedState(config)
  const clock = options.clock ?? systemClock
  try {
    await store.migrate()
    const telemetry = createTelemetry()
    const revocations = createMemoryRevocationList()
    checkCapabilities(capabilities)
    const auth = await createAuth({
      signInGates: capabilities.flatMap((capability) => capability.signInGates ?? []),
      jobs: capabilities.flatMap((capability) => capability.jobs ?? []),
      on: reactionsOf(capabilities),
      store,
      hasher: options.hasher ?? createPasswordHasher(),
      clock,
      secret: config.secret,
      signingAlg: config.signingAlg,
      revocations,
      telemetry,
      lockout: shared.lockout,
      bus: shared.bus,
      additionalClaims: options.additionalClaims,
      generateKeyPair: options.generateKeyPair,
      keyRotationInterval: config.keyRotationInterval,
      mailDelivery: config.smtpUrl !== undefined,
      rateLimiter: shared.rateLimiter,
      settings: {
        issuer: config.issuer,
        productName: config.uiName,
        audience: config.audience,
        accessTtl: config.accessTtl,
        refreshTtl: config.refreshTtl,
        sessionMaxAge: config.sessionMaxAge,
        reuseWindow: config.reuseWindow,
        leeway: config.leeway,
        auditRetentionDays: config.auditRetentionDays,
        emailVerifyTtl: config.emailVerifyTtl,
        passwordResetTtl: config.passwordResetTtl,
        emailLimitPerHour: config.emailLimitPerHour,
        mfaRequiredRoles: config.mfaRequiredRoles.split(/[\s,]+/).filter((role) => role !== ''),
        webauthn: webauthnSettings(config),
        emailVerification: config.emailVerification,
      },
    })
    shared.bus.subscribe((event) => {
      applyClusterEvent(auth, event).catch(() => undefined)
    })
    const mailTransport =
      config.smtpUrl === undefined
        ? null
        : await createSmtpTransport(config.smtpUrl, config.mailFrom)
    return {
      config,
      store,
      auth,
      clock,
      rateLimiter: shared.rateLimiter,
      telemetry,
      mailTransport,
      revocationCount: () => revocations.size(),
      warnings: [...config.warnings, ...shared.warnings],
      async ready() {
        await store.ping().catch((error: unknown) => {
          throw new GatehouseError('service_unavailable', 'Store is not reachable', {
            cause: error,
          })
        })
        await shared.ping().catch((error: unknown) => {
          throw new GatehouseError('service_unavailable', 'Redis is not reachable', {
            cause: error,
          })
        })
      },
      close: async () => {
        // What requests started (a reset link being queued) finishes before the store closes.
        await auth.background.idle()
        mailTransport?.close()
        await shared.close()
        if (ownsStore) await store.close()
      },
    }
  } catch (error) {
    await shared.close()
    if (ownsStore) await store.close()
    throw error
  }
}

/** The WebAuthn relying party: configured, or the issuer's host and origin. */
function webauthnSettings(config: Config): AuthSettings['webauthn'] {
  const issuer = new URL(config.issuer)
  return {
    rpId: config.webauthnRpId ?? issuer.hostname,
    origins: config.webauthnOrigins
      ? config.webauthnOrigins.split(',').map((origin) => origin.trim().replace(/\/$/, ''))
      : [issuer.origin],
  }
}

/** Applies what another instance published (revocations, key changes, evictions). */
async function applyClusterEvent(auth: Auth, event: ClusterEvent): Promise<void> {
  switch (event.type) {
    case 'revoked':
      auth.revocations.add(event.entry, auth.clock.now())
      return
    case 'keys_changed':
      await refreshSigningKeys(auth)
      return
    case 'api_keys_evicted':
      auth.apiKeys.applyEviction(event)
      return
  }
}
