import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** Where the Postgres tests connect; the CI machine runs PostgreSQL here. */
export const POSTGRES_URL =
  process.env['GATEHOUSE_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

/**
 * Whether PostgreSQL answers. On CI it must (a silent skip would hide a broken setup); on
 * a laptop without it the suite skips and says so.
 */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch (error) {
    if (process.env['CI'])
      throw new Error(`PostgreSQL is required on CI at ${POSTGRES_URL}`, { cause: error })
    console.warn(`Skipping PostgreSQL tests: nothing answers at ${POSTGRES_URL}`)
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** A fresh schema per test, dropped afterwards, so suites never see each other's rows. */
export async function createTestSchema(): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  await client.query(`create schema ${name}`)
  await client.end()
  return {
    name,
    async drop() {
      const admin = new pg.Client({ connectionString: POSTGRES_URL })
      await admin.connect()
      await admin.query(`drop schema if exists ${name} cascade`)
      await admin.end()
    },
  }
}

/** Where the Redis tests connect; the CI machine runs Redis here. */
export const REDIS_URL = process.env['GATEHOUSE_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379'

export async function redisAvailable(): Promise<boolean> {
  const { Redis } = await import('ioredis')
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
  })
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.ping()
    return true
  } catch (error) {
    if (process.env['CI'])
      throw new Error(`Redis is required on CI at ${REDIS_URL}`, { cause: error })
    console.warn(`Skipping Redis tests: nothing answers at ${REDIS_URL}`)
    return false
  } finally {
    client.disconnect()
  }
}

/** A unique key prefix so concurrent and repeated runs never share counters. */
export function testPrefix(): string {
  return `gatehouse-test-${randomBytes(6).toString('hex')}:`
}

/** A fresh Postgres database (for server processes, which take a URL), dropped afterwards. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: POSTGRES_URL })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(POSTGRES_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL })
      await client.connect()
      await client.query(`drop database if exists ${name} with (force)`)
      await client.end()
    },
  }
}
