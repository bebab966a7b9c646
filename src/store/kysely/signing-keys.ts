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
        .values(toSigningKeyRow(key))
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst()
      return affectedRows(result) === 1
    },
    async delete(kid) {
      const result = await db.deleteFrom('signing_keys').where('kid', '=', kid).executeTakeFirst()
      return Number(result.numDeletedRows) === 1
    },
    async rotate(ring, expectedCurrentKid, newNext, at) {
      return db.transaction().execute(async (trx) => {
        // Order matters for the one-current/one-next unique index: free each slot before
        // filling it.
        const retired = await trx
          .updateTable('signing_keys')
          .set({ status: 'retired', retired_at: at })
          .where('kid', '=', expectedCurrentKid)
          .where('ring', '=', ring)
          .where('status', '=', 'current')
          .executeTakeFirst()
        if (affectedRows(retired) !== 1) return false
        const promoted = await trx
          .updateTable('signing_keys')
          .set({ status: 'current', activated_at: at })
          .where('ring', '=', ring)
          .where('status', '=', 'next')
          .executeTakeFirst()
        if (affectedRows(promoted) !== 1) throw new Error('no next signing key to promote')
        await trx.insertInto('signing_keys').values(toSigningKeyRow(newNext)).execute()
        return true
      })
    },
    async deleteRetiredBefore(at) {
      const result = await db
        .deleteFrom('signing_keys')
        .where('status', '=', 'retired')
        .where('retired_at', '<', at)
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}

function toSigningKeyRow(key: SigningKeyRecord): Database['signing_keys'] {
  return {
    kid: key.kid,
    ring: key.ring,
    alg: key.alg,
    public_jwk: key.publicJwk,
    private_key_encrypted: key.privateKeyEncrypted,
    status: key.status,
    created_at: key.createdAt,
    activated_at: key.activatedAt,
    retired_at: key.retiredAt,
  }
}

function toSigningKeyRecord(row: Selectable<Database['signing_keys']>): SigningKeyRecord {
  return {
    kid: row.kid,
    ring: row.ring,
    alg: row.alg,
    publicJwk: row.public_jwk,
    privateKeyEncrypted: row.private_key_encrypted,
    status: row.status as SigningKeyStatus,
    createdAt: toNumber(row.created_at),
    activatedAt: toNullableNumber(row.activated_at),
    retiredAt: toNullableNumber(row.retired_at),
  }
}
