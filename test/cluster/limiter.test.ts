import { afterAll, describe, expect, it } from 'vitest'
import {
  DEFAULT_LOCKOUT_POLICY,
  type LockoutTracker,
  type RateLimiter,
} from '../../src/cluster/limiter.js'
import {
  createMemoryLockoutTracker,
  createMemoryRateLimiter,
} from '../../src/cluster/limiter-memory.js'
import {
  createRedisCluster,
  lockoutWithFallback,
  withFallback,
  type RedisCluster,
} from '../../src/cluster/redis.js'
import { REDIS_URL, redisAvailable, testPrefix } from '../helpers/services.js'

const policy = { ...DEFAULT_LOCKOUT_POLICY, threshold: 3 }
const available = await redisAvailable()
const clusters: RedisCluster[] = []
afterAll(async () => {
  await Promise.all(clusters.map((c) => c.close()))
})

async function redis(prefix = testPrefix()): Promise<RedisCluster> {
  const cluster = createRedisCluster(REDIS_URL, prefix)
  clusters.push(cluster)
  expect(await cluster.connected(5_000)).toBe(true)
  return cluster
}

type Counters = { limiter: RateLimiter; lockout: LockoutTracker }

/** What every limiter and lockout implementation must do. */
function describeCounters(name: string, make: () => Promise<Counters>, skip = false) {
  describe.skipIf(skip)(`counters: ${name}`, () => {
    it('allows `limit` hits per window, exactly, under concurrency', async () => {
      const { limiter } = await make()
      const results = await Promise.all(
        Array.from({ length: 25 }, () => limiter.hit('ip', 10, 60_000, 1_000)),
      )
      expect(results.filter((r) => r.allowed)).toHaveLength(10)
      const refused = results.find((r) => !r.allowed)!
      expect(refused.retryAfter).toBeGreaterThan(0)
      expect(refused.retryAfter).toBeLessThanOrEqual(60_000)
      expect((await limiter.hit('other-ip', 10, 60_000, 1_000)).allowed).toBe(true)
    })

    it('locks out progressively after the threshold and resets on success', async () => {
      const { lockout } = await make()
      for (let i = 0; i < 3; i++) {
        expect(await lockout.waitFor('alice', 0)).toBe(0)
        await lockout.recordFailure('alice', 0)
      }
      expect(await lockout.waitFor('alice', 0)).toBe(1_000)
      await lockout.recordFailure('alice', 1_000)
      expect(await lockout.waitFor('alice', 1_000)).toBe(2_000)
      expect(await lockout.waitFor('bob', 1_000)).toBe(0)
      await lockout.reset('alice')
      expect(await lockout.waitFor('alice', 1_000)).toBe(0)
    })
  })
}

describeCounters('memory', () =>
  Promise.resolve({
    limiter: createMemoryRateLimiter(),
    lockout: createMemoryLockoutTracker(policy),
  }),
)
describeCounters(
  'Redis',
  async () => {
    const cluster = await redis()
    return { limiter: cluster.rateLimiter, lockout: cluster.lockout(policy) }
  },
  !available,
)

describe.skipIf(!available)('Redis shared state', () => {
  it('shares counters between instances', async () => {
    const prefix = testPrefix()
    const [a, b] = [await redis(prefix), await redis(prefix)]
    const results = [
      await a.rateLimiter.hit('ip', 3, 60_000, 0),
      await b.rateLimiter.hit('ip', 3, 60_000, 0),
      await a.rateLimiter.hit('ip', 3, 60_000, 0),
      await b.rateLimiter.hit('ip', 3, 60_000, 0),
    ]
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false])
    for (let i = 0; i < 3; i++) await a.lockout(policy).recordFailure('carol', 0)
    expect(await b.lockout(policy).waitFor('carol', 0)).toBe(1_000)
  })

  it('delivers events to the other instances, not back to the sender', async () => {
    const prefix = testPrefix()
    const [a, b] = [await redis(prefix), await redis(prefix)]
    const seenByA: unknown[] = []
    const seenByB: unknown[] = []
    a.bus.subscribe((e) => seenByA.push(e))
    b.bus.subscribe((e) => seenByB.push(e))
    await new Promise((resolve) => setTimeout(resolve, 200))
    a.bus.publish({ type: 'keys_changed' })
    for (let i = 0; i < 50 && seenByB.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(seenByB).toEqual([{ type: 'keys_changed' }])
    expect(seenByA).toEqual([])
  })
})

describe('when Redis cannot be reached', () => {
  it('falls back to per-instance counters instead of failing, and says it is not ready', async () => {
    const down = createRedisCluster('redis://127.0.0.1:1', testPrefix())
    clusters.push(down)
    expect(await down.connected(200)).toBe(false)
    const limiter = withFallback(down.rateLimiter, createMemoryRateLimiter())
    const lockout = lockoutWithFallback(down.lockout(policy), createMemoryLockoutTracker(policy))
    const results = await Promise.all(
      Array.from({ length: 4 }, () => limiter.hit('ip', 3, 60_000, 0)),
    )
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false])
    for (let i = 0; i < 3; i++) await lockout.recordFailure('dave', 0)
    expect(await lockout.waitFor('dave', 0)).toBe(1_000)
    await expect(down.ping()).rejects.toThrow()
    down.bus.publish({ type: 'keys_changed' })
  })
})
