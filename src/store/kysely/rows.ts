import { sql, type SelectQueryBuilder, type SqlBool } from 'kysely'
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

/** Where a page of a list starts and how long it is (keyset pagination). */
interface PageRequest {
  limit: number
  after?: PageAfter
}

/**
 * One page of a list ordered by (time, id): the rows strictly beyond `page.after` in that
 * order. The keyset is a row-value comparison: SQLite and Postgres both support it and can
 * use the (time, id) index. `idColumn` breaks ties between equal times (`id`, unless the
 * table's key is another column). Use with `query.$call(newestFirst(…))`.
 */
function keysetPage(order: 'asc' | 'desc', timeColumn: string, page: PageRequest, idColumn = 'id') {
  const beyond = sql.raw(order === 'desc' ? '<' : '>')
  return <DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>) =>
    (page.after === undefined
      ? query
      : query.where(
          sql<SqlBool>`(${sql.ref(timeColumn)}, ${sql.ref(idColumn)}) ${beyond} (${page.after.at}, ${page.after.id})`,
        )
    )
      .orderBy(sql.ref(timeColumn), order)
      .orderBy(sql.ref(idColumn), order)
      .limit(page.limit)
}

export const newestFirst = (timeColumn: string, page: PageRequest, idColumn?: string) =>
  keysetPage('desc', timeColumn, page, idColumn)

/** Oldest first, for exports that follow a log as it grows. */
export const oldestFirst = (timeColumn: string, page: PageRequest) =>
  keysetPage('asc', timeColumn, page)

/** A unique index refused the write: SQLite's and PostgreSQL's (23505) ways of saying so. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505'
}
