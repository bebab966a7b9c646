import type { AdditionalClaims } from './auth/deps.js'
import { createAuthService, type AuthService } from './auth/service.js'
import { systemClock, type Clock } from './clock.js'
import type { Config } from './config/schema.js'
import { createMemoryRevocationList } from './cluster/denylist-memory.js'
import { DEFAULT_LOCKOUT_POLICY, type RateLimiter } from './cluster/limiter.js'
import { createMemoryLockoutTracker, createMemoryRateLimiter } from './cluster/limiter-memory.js'
import { createStore } from './store/create-store.js'
import type { Store } from './store/store.js'
import { createPasswordHasher, type PasswordHasher } from './tokens/password.js'

/** A running Gatehouse without HTTP: what `serve`, the plugin and the CLI share. */
export interface Core {
  config: Config
  store: Store
  auth: AuthService
  clock: Clock
  /** Per-client request counters for the credential endpoints. */
  rateLimiter: RateLimiter
  close(): Promise<void>
}

export interface OpenCoreOptions {
  /** Use this store instead of the one `config.database` names; the caller closes it. */
  store?: Store
  clock?: Clock
  hasher?: PasswordHasher
  /** Extra claims for users' access tokens (reserved claims are refused). */
  additionalClaims?: AdditionalClaims
}

/** Opens the store, brings its schema up to date and loads the signing keys. */
export async function openCore(config: Config, options: OpenCoreOptions = {}): Promise<Core> {
  const store = options.store ?? createStore(config.database)
  const ownsStore = options.store === undefined
  try {
    await store.migrate()
    const auth = await createAuthService({
      store,
      hasher: options.hasher ?? createPasswordHasher(),
      clock: options.clock ?? systemClock,
      secret: config.secret,
      signingAlg: config.signingAlg,
      revocations: createMemoryRevocationList(),
      lockout: createMemoryLockoutTracker({
        ...DEFAULT_LOCKOUT_POLICY,
        threshold: config.lockoutThreshold,
      }),
      additionalClaims: options.additionalClaims,
      keyRotationInterval: config.keyRotationInterval,
      settings: {
        issuer: config.issuer,
        audience: config.audience,
        accessTtl: config.accessTtl,
        refreshTtl: config.refreshTtl,
        sessionMaxAge: config.sessionMaxAge,
        reuseWindow: config.reuseWindow,
        leeway: config.leeway,
      },
    })
    return {
      config,
      store,
      auth,
      clock: options.clock ?? systemClock,
      rateLimiter: createMemoryRateLimiter(),
      close: async () => {
        if (ownsStore) await store.close()
      },
    }
  } catch (error) {
    if (ownsStore) await store.close()
    throw error
  }
}
