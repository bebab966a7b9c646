import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createSqliteStore } from '../../src/store/kysely/sqlite.js'
import { tempDir } from '../helpers/cli.js'
import { describeStoreContract } from './contract.js'

describeStoreContract('SQLite in memory', () => Promise.resolve(createSqliteStore(':memory:')))

const tmp = tempDir()
afterAll(() => tmp.remove())
let n = 0
describeStoreContract('SQLite file (WAL)', () =>
  Promise.resolve(createSqliteStore(join(tmp.dir, `store-${n++}.db`))),
)

describe('SQLite store on a file', () => {
  it('keeps data across reopenings', async () => {
    const path = join(tmp.dir, 'persist.db')
    const first = createSqliteStore(path)
    await first.migrate()
    await first.users.insert({
      id: 'u1',
      username: 'a',
      usernameKey: 'a',
      passwordHash: 'h',
      roles: [],
      disabled: false,
      createdAt: 1,
      updatedAt: 1,
      email: null,
      emailKey: null,
      emailVerifiedAt: null,
    })
    await first.close()
    const second = createSqliteStore(path)
    await second.migrate()
    expect((await second.users.findById('u1'))?.usernameKey).toBe('a')
    await second.close()
  })
})
