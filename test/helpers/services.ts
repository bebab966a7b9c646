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
