import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { loadConfig } from '../../src/config/load.js'
import type { SettingName } from '../../src/config/schema.js'
import { openCore, type Core } from '../../src/core.js'
import type { Store } from '../../src/store/store.js'
import { buildApp, type BuildAppOptions } from '../../src/http/app.js'
import { createPasswordHasher, type PasswordHasher } from '../../src/tokens/password.js'
import { createKeyRing, type KeyRing } from '../../src/capabilities/keys/auth/key-ring.js'
import { createTestClock, type TestClock } from './clock.js'
import { createKeyPool } from './key-pool.js'

export interface CountingHasher extends PasswordHasher {
  /** argon2 operations performed, by kind. */
  counts: { hash: number; verify: number; verifyDummy: number }
}

/** The real argon2id hasher, counting its calls so tests can prove equal work. */
export function createCountingHasher(): CountingHasher {
  const real = createPasswordHasher()
  const counts = { hash: 0, verify: 0, verifyDummy: 0 }
  return {
    counts,
    hash: (password) => (counts.hash++, real.hash(password)),
    verify: (hash, password) => (counts.verify++, real.verify(hash, password)),
    verifyDummy: (password) => (counts.verifyDummy++, real.verifyDummy(password)),
    needsRehash: (hash) => real.needsRehash(hash),
  }
}

export interface TestApp {
  app: FastifyInstance
  core: Core
  clock: TestClock
  hasher: CountingHasher
  /** The server's own key ring, for tests that craft tokens the server would sign. */
  keyRing(): Promise<KeyRing>
  inject(options: InjectOptions): Promise<LightMyRequestResponse>
  close(): Promise<void>
}

/** A Gatehouse on an in-memory SQLite database with a controllable clock and no logs. */
export async function buildTestApp(
  settings: Partial<Record<SettingName, unknown>> = {},
  options: {
    store?: Store
    onRoute?: BuildAppOptions['onRoute']
    /** Where the clock starts (epoch ms); a fixed day in 2026 unless told. */
    clockStart?: number
  } = {},
): Promise<TestApp> {
  const clock = createTestClock(options.clockStart)
  const hasher = createCountingHasher()
  const config = loadConfig({
    env: {},
    overrides: { database: ':memory:', logLevel: 'silent', ipLimitPerMinute: 0, ...settings },
  })
  const core = await openCore(config, {
    clock,
    hasher,
    generateKeyPair: createKeyPool(),
    ...(options.store && { store: options.store }),
  })
  const app = await buildApp({
    core,
    logger: false,
    ...(options.onRoute && { onRoute: options.onRoute }),
  })
  app.addHook('onClose', async () => {
    await core.close()
    await options.store?.close()
  })
  return {
    app,
    core,
    clock,
    hasher,
    keyRing: () =>
      createKeyRing({
        store: core.store.signingKeys,
        secret: config.secret,
        alg: config.signingAlg,
        clock,
        retiredKeyLifetime: (config.accessTtl + config.leeway) * 1000,
      }),
    inject: (options) => app.inject(options),
    close: () => app.close(),
  }
}

/** A JSON body, with any other headers the request needs (they are merged, not lost). */
export const json = (body: unknown, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/json', ...headers },
  payload: JSON.stringify(body),
})

/** Registers (unless `existing`) and logs in; returns the token response body. */
export async function loginAs(
  t: TestApp,
  username: string,
  password: string,
): Promise<{ access_token: string; refresh_token: string; expires_in: number }> {
  const res = await t.inject({ method: 'POST', url: '/login', ...json({ username, password }) })
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`)
  return res.json()
}

export async function register(t: TestApp, username: string, password: string) {
  return t.inject({ method: 'POST', url: '/register', ...json({ username, password }) })
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
