import { randomUUID } from 'node:crypto'
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
      const fail = async (key: string, now: number) => {
        const attempt = randomUUID()
        expect(await lockout.reserve(key, attempt, now)).toEqual({ status: 'granted' })
        await lockout.settle(key, attempt, 'failure', now)
      }
      for (let i = 0; i < 3; i++) await fail('alice', 0)
      expect(await lockout.reserve('alice', randomUUID(), 0)).toEqual({
        status: 'locked',
        wait: 1_000,
      })
      expect(await lockout.reserve('alice', randomUUID(), 500)).toEqual({
        status: 'locked',
        wait: 500,
      })
      // Once the wait is over one more attempt is allowed, and its failure doubles the wait.
      await fail('alice', 1_000)
      expect(await lockout.reserve('alice', randomUUID(), 1_000)).toEqual({
        status: 'locked',
        wait: 2_000,
      })
      expect(await lockout.reserve('bob', randomUUID(), 1_000)).toEqual({ status: 'granted' })
      const right = randomUUID()
      expect(await lockout.reserve('alice', right, 3_000)).toEqual({ status: 'granted' })
      await lockout.settle('alice', right, 'success', 3_000)
      for (let i = 0; i < 3; i++) await fail('alice', 3_000)
      expect((await lockout.reserve('alice', randomUUID(), 3_000)).status).toBe('locked')
    })

    it('admits no more concurrent attempts than may still fail (the check and the count are one step)', async () => {
      const { lockout } = await make()
      const attempts = Array.from({ length: 55 }, () => randomUUID())
      const first = await Promise.all(attempts.map((a) => lockout.reserve('mallory', a, 5_000)))
      expect(first.filter((r) => r.status === 'granted')).toHaveLength(policy.threshold)
      expect(first.filter((r) => r.status === 'busy')).toHaveLength(55 - policy.threshold)
      // An abandoned attempt frees its place without counting; a success makes room for all.
      const granted = attempts.filter((_, i) => first[i]?.status === 'granted')
      await lockout.settle('mallory', granted[0] ?? '', 'abandoned', 5_000)
      expect(await lockout.reserve('mallory', randomUUID(), 5_000)).toEqual({ status: 'granted' })
      for (const attempt of granted.slice(1))
        await lockout.settle('mallory', attempt, 'failure', 5_000)
      expect((await lockout.reserve('mallory', randomUUID(), 5_000)).status).toBe('busy')
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
    for (let i = 0; i < 3; i++) {
      const attempt = randomUUID()
      await a.lockout(policy).reserve('carol', attempt, 0)
      await a.lockout(policy).settle('carol', attempt, 'failure', 0)
    }
    expect(await b.lockout(policy).reserve('carol', randomUUID(), 0)).toEqual({
      status: 'locked',
      wait: 1_000,
    })
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
    for (let i = 0; i < 3; i++) {
      await lockout.reserve('dave', `a${i}`, 0)
      await lockout.settle('dave', `a${i}`, 'failure', 0)
    }
    expect(await lockout.reserve('dave', 'a3', 0)).toEqual({ status: 'locked', wait: 1_000 })
    await expect(down.ping()).rejects.toThrow()
    down.bus.publish({ type: 'keys_changed' })
  })
})
