import { afterAll } from 'vitest'
import { createPostgresStore } from '../../src/store/kysely/postgres.js'
import type { Store } from '../../src/store/store.js'
import { createTestSchema, POSTGRES_URL, postgresAvailable } from '../helpers/services.js'
import { describeStoreContract } from './contract.js'

const available = await postgresAvailable()
const schemas: { drop(): Promise<void> }[] = []
afterAll(async () => {
  await Promise.all(schemas.map((s) => s.drop()))
})

async function makeStore(): Promise<Store> {
  const schema = await createTestSchema()
  schemas.push(schema)
  return createPostgresStore(POSTGRES_URL, { schema: schema.name })
}

describeStoreContract('PostgreSQL', makeStore, { skip: !available })
