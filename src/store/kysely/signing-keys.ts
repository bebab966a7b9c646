import type { Kysely, Selectable } from 'kysely'
import type { SigningKeyRecord, SigningKeyStatus, SigningKeyStore } from '../store.js'
import type { Database } from './database.js'
import { affectedRows, toNullableNumber, toNumber } from './rows.js'

export function createSigningKeyStore(db: Kysely<Database>): SigningKeyStore {
  return {
    async list() {
      const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at').execute()
      return rows.map(toSigningKeyRecord)
    },
    async insertIfSlotFree(key) {
      const result = await db
        .insertInto('signing_keys')
        .values({
          kid: key.kid,
          alg: key.alg,
          public_jwk: key.publicJwk,
          private_key_encrypted: key.privateKeyEncrypted,
          status: key.status,
          created_at: key.createdAt,
          activated_at: key.activatedAt,
          retired_at: key.retiredAt,
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst()
      return affectedRows(result) === 1
    },
  }
}

function toSigningKeyRecord(row: Selectable<Database['signing_keys']>): SigningKeyRecord {
  return {
    kid: row.kid,
    alg: row.alg,
    publicJwk: row.public_jwk,
    privateKeyEncrypted: row.private_key_encrypted,
    status: row.status as SigningKeyStatus,
    createdAt: toNumber(row.created_at),
    activatedAt: toNullableNumber(row.activated_at),
    retiredAt: toNullableNumber(row.retired_at),
  }
}
