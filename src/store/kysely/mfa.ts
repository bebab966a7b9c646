import type { Kysely, Selectable } from 'kysely'
import type { MfaFactorRecord, MfaFactorType, MfaStore, WebAuthnFlowRecord } from '../store.js'
import type { Database } from './database.js'
import { toNumber } from './rows.js'

type FactorRow = Selectable<Database['mfa_factors']>

const nullableNumber = (value: number | string | null) => (value === null ? null : toNumber(value))

function toFactor(row: FactorRow): MfaFactorRecord {
  return {
    id: row.id,
    userId: row.user_id,
    type: row.type as MfaFactorType,
    name: row.name,
    secretSealed: row.secret_sealed,
    lastStep: nullableNumber(row.last_step),
    verifiedAt: nullableNumber(row.verified_at),
    createdAt: toNumber(row.created_at),
    lastUsedAt: nullableNumber(row.last_used_at),
    passkey:
      row.credential_id === null || row.public_key === null
        ? null
        : {
            credentialId: row.credential_id,
            publicKey: row.public_key,
            counter: nullableNumber(row.counter) ?? 0,
            transports: row.transports ? row.transports.split(',') : [],
          },
  }
}

export function createMfaStore(db: Kysely<Database>): MfaStore {
  return {
    async insertFactor(factor) {
      await db
        .insertInto('mfa_factors')
        .values({
          id: factor.id,
          user_id: factor.userId,
          type: factor.type,
          name: factor.name,
          secret_sealed: factor.secretSealed,
          last_step: factor.lastStep,
          verified_at: factor.verifiedAt,
          created_at: factor.createdAt,
          last_used_at: factor.lastUsedAt,
          credential_id: factor.passkey?.credentialId ?? null,
          public_key: factor.passkey?.publicKey ?? null,
          counter: factor.passkey?.counter ?? null,
          transports: factor.passkey?.transports.join(',') ?? null,
        })
        .execute()
    },
    async findPasskey(credentialId) {
      const row = await db
        .selectFrom('mfa_factors')
        .selectAll()
        .where('credential_id', '=', credentialId)
        .executeTakeFirst()
      return row ? toFactor(row) : undefined
    },
    async usePasskey(id, counter, at) {
      await db
        .updateTable('mfa_factors')
        .set({ counter, last_used_at: at })
        .where('id', '=', id)
        .execute()
    },
    async createFlow(flow) {
      await db
        .insertInto('webauthn_flows')
        .values({
          id: flow.id,
          user_id: flow.userId,
          purpose: flow.purpose,
          challenge: flow.challenge,
          created_at: flow.createdAt,
          expires_at: flow.expiresAt,
        })
        .execute()
    },
    async spendFlow(id, now) {
      const row = await db
        .deleteFrom('webauthn_flows')
        .where('id', '=', id)
        .where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst()
      if (!row) return undefined
      return {
        id: row.id,
        userId: row.user_id,
        purpose: row.purpose as WebAuthnFlowRecord['purpose'],
        challenge: row.challenge,
        createdAt: toNumber(row.created_at),
        expiresAt: toNumber(row.expires_at),
      }
    },
    async findFactor(id) {
      const row = await db
        .selectFrom('mfa_factors')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst()
      return row ? toFactor(row) : undefined
    },
    async listFactors(userId) {
      const rows = await db
        .selectFrom('mfa_factors')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('id')
        .execute()
      return rows.map(toFactor)
    },
    async usersWithFactors(userIds) {
      if (userIds.length === 0) return new Set()
      const rows = await db
        .selectFrom('mfa_factors')
        .select('user_id')
        .distinct()
        .where('user_id', 'in', [...userIds])
        .where('verified_at', 'is not', null)
        .execute()
      return new Set(rows.map((row) => row.user_id))
    },
    async verifyFactor(id, at) {
      const result = await db
        .updateTable('mfa_factors')
        .set({ verified_at: at })
        .where('id', '=', id)
        .where('verified_at', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async acceptStep(id, step, at) {
      // The one conditional update that finds the row below `step` wins.
      const result = await db
        .updateTable('mfa_factors')
        .set({ last_step: step, last_used_at: at })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async deleteFactor(userId, id) {
      const result = await db
        .deleteFrom('mfa_factors')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst()
      return Number(result.numDeletedRows) === 1
    },
    async deleteAllForUser(userId) {
      return db.transaction().execute(async (tx) => {
        await tx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute()
        await tx.deleteFrom('mfa_challenges').where('user_id', '=', userId).execute()
        const result = await tx
          .deleteFrom('mfa_factors')
          .where('user_id', '=', userId)
          .executeTakeFirst()
        return Number(result.numDeletedRows)
      })
    },
    async replaceRecoveryCodes(userId, codeHashes, at) {
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute()
        if (codeHashes.length === 0) return
        await tx
          .insertInto('mfa_recovery_codes')
          .values(
            codeHashes.map((hash) => ({
              code_hash: hash,
              user_id: userId,
              created_at: at,
              used_at: null,
            })),
          )
          .execute()
      })
    },
    async spendRecoveryCode(userId, codeHash, at) {
      const result = await db
        .updateTable('mfa_recovery_codes')
        .set({ used_at: at })
        .where('code_hash', '=', codeHash)
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async countRecoveryCodes(userId) {
      const row = await db
        .selectFrom('mfa_recovery_codes')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .executeTakeFirstOrThrow()
      return Number(row.count)
    },
    async createChallenge(challenge) {
      await db
        .insertInto('mfa_challenges')
        .values({
          token_hash: challenge.tokenHash,
          user_id: challenge.userId,
          failures: challenge.failures,
          created_at: challenge.createdAt,
          expires_at: challenge.expiresAt,
        })
        .execute()
    },
    async findChallenge(tokenHash, now) {
      const row = await db
        .selectFrom('mfa_challenges')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .where('expires_at', '>', now)
        .executeTakeFirst()
      if (!row) return undefined
      return {
        tokenHash: row.token_hash,
        userId: row.user_id,
        failures: Number(row.failures),
        createdAt: toNumber(row.created_at),
        expiresAt: toNumber(row.expires_at),
      }
    },
    async failChallenge(tokenHash, maxFailures) {
      const row = await db
        .updateTable('mfa_challenges')
        .set((eb) => ({ failures: eb('failures', '+', 1) }))
        .where('token_hash', '=', tokenHash)
        .returning('failures')
        .executeTakeFirst()
      const failures = row ? Number(row.failures) : maxFailures
      if (failures >= maxFailures) {
        await db.deleteFrom('mfa_challenges').where('token_hash', '=', tokenHash).execute()
      }
      return failures
    },
    async spendChallenge(tokenHash, now) {
      const result = await db
        .deleteFrom('mfa_challenges')
        .where('token_hash', '=', tokenHash)
        .where('expires_at', '>', now)
        .executeTakeFirst()
      return Number(result.numDeletedRows) === 1
    },
    async deleteChallenges(userId) {
      await db.deleteFrom('mfa_challenges').where('user_id', '=', userId).execute()
    },
    async purgeExpiredChallenges(now) {
      await db.deleteFrom('webauthn_flows').where('expires_at', '<=', now).execute()
      const result = await db
        .deleteFrom('mfa_challenges')
        .where('expires_at', '<=', now)
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}
