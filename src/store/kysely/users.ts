import { sql, type Kysely, type Selectable } from 'kysely'
import type { UserPatch, UserRecord, UserStore } from '../store.js'
import type { Database } from './database.js'
import { affectedRows, isUniqueViolation, newestFirst, toNumber } from './rows.js'

export function createUserStore(db: Kysely<Database>): UserStore {
  return {
    async insert(user) {
      const result = await db
        .insertInto('users')
        .values(toUserRow(user))
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst()
      if (affectedRows(result) === 1) return 'created'
      // Which unique key was taken: the username wins, as it did before emails existed.
      const sameName = await db
        .selectFrom('users')
        .select('id')
        .where('username_key', '=', user.usernameKey)
        .executeTakeFirst()
      return sameName || user.emailKey === null ? 'username_taken' : 'email_taken'
    },
    async findByVerifiedEmail(emailKey) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('email_key', '=', emailKey)
        .where('email_verified_at', 'is not', null)
        .executeTakeFirst()
      return row && toUserRecord(row)
    },
    async setEmail(id, email, at) {
      try {
        return await db.transaction().execute(async (tx) => {
          const result = await tx
            .updateTable('users')
            .set({
              email: email?.email ?? null,
              email_key: email?.emailKey ?? null,
              email_verified_at: email?.verifiedAt ?? null,
              updated_at: at,
            })
            .where('id', '=', id)
            .executeTakeFirst()
          if (Number(result.numUpdatedRows) !== 1) return 'not_found' as const
          if (email !== null && email.verifiedAt !== null) {
            // Proven here: whoever else only claimed the address loses the claim.
            await tx
              .updateTable('users')
              .set({ email: null, email_key: null, updated_at: at })
              .where('email_key', '=', email.emailKey)
              .where('email_verified_at', 'is', null)
              .where('id', '!=', id)
              .execute()
          }
          return 'updated' as const
        })
      } catch (error) {
        // The partial unique index decides races between two users proving one address.
        if (isUniqueViolation(error)) return 'email_taken'
        throw error
      }
    },
    async findById(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
      return row && toUserRecord(row)
    },
    async findByUsernameKey(usernameKey) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('username_key', '=', usernameKey)
        .executeTakeFirst()
      return row && toUserRecord(row)
    },
    async update(id, patch, at) {
      const row = await db
        .updateTable('users')
        .set({ ...toUserPatchRow(patch), updated_at: at })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst()
      return row && toUserRecord(row)
    },
    async delete(id) {
      const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst()
      return Number(result.numDeletedRows) === 1
    },
    async list(query, page) {
      let select = db.selectFrom('users').selectAll()
      if (query.usernamePrefix) {
        const pattern = `${query.usernamePrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
        select = select.where(sql<boolean>`username_key like ${pattern} escape '\\'`)
      }
      const rows = await select.$call(newestFirst('created_at', page)).execute()
      return rows.map(toUserRecord)
    },
  }
}

function toUserRow(user: UserRecord): Database['users'] {
  return {
    id: user.id,
    username: user.username,
    username_key: user.usernameKey,
    password_hash: user.passwordHash,
    roles: JSON.stringify(user.roles),
    disabled: user.disabled ? 1 : 0,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
    email: user.email,
    email_key: user.emailKey,
    email_verified_at: user.emailVerifiedAt,
  }
}

function toUserPatchRow(patch: UserPatch): Partial<Database['users']> {
  const row: Partial<Database['users']> = {}
  if (patch.passwordHash !== undefined) row.password_hash = patch.passwordHash
  if (patch.roles !== undefined) row.roles = JSON.stringify(patch.roles)
  if (patch.disabled !== undefined) row.disabled = patch.disabled ? 1 : 0
  return row
}

export function toUserRecord(row: Selectable<Database['users']>): UserRecord {
  return {
    id: row.id,
    username: row.username,
    usernameKey: row.username_key,
    passwordHash: row.password_hash,
    roles: parseStringArray(row.roles),
    disabled: Number(row.disabled) === 1,
    createdAt: toNumber(row.created_at),
    updatedAt: toNumber(row.updated_at),
    email: row.email,
    emailKey: row.email_key,
    emailVerifiedAt: row.email_verified_at === null ? null : toNumber(row.email_verified_at),
  }
}

export function parseStringArray(text: string): string[] {
  const value: unknown = JSON.parse(text)
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new Error('stored roles are not a JSON array of strings')
  }
  return value
}
