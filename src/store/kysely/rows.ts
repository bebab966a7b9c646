import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { PageAfter } from '../store.js'

/** Row ↔ record helpers shared by the Kysely stores. */

/** Both drivers may hand back BIGINT as string or bigint; times are safe integers. */
export function toNumber(value: number | string | bigint): number {
  return Number(value)
}

export function toNullableNumber(value: number | string | bigint | null): number | null {
  return value === null ? null : Number(value)
}

export function affectedRows(
  result: { numInsertedOrUpdatedRows?: bigint | undefined } | { numUpdatedRows: bigint },
): number {
  return Number(
    'numUpdatedRows' in result ? result.numUpdatedRows : (result.numInsertedOrUpdatedRows ?? 0),
  )
}

export function parseJsonObject(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text)
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

/**
 * Keyset condition "strictly after this row" for lists ordered by (time, id) descending.
 * A row-value comparison: SQLite and Postgres both support it and can use the index.
 */
export function beforeKeyset(timeColumn: string, after: PageAfter): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.ref(timeColumn)}, ${sql.ref('id')}) < (${after.at}, ${after.id})`
}

/** Keyset condition "strictly after this row" for lists ordered by (time, id) ascending. */
export function afterKeyset(timeColumn: string, after: PageAfter): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.ref(timeColumn)}, ${sql.ref('id')}) > (${after.at}, ${after.id})`
}
