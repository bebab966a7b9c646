import { GatehouseError } from '../errors/index.js'
import type { PageAfter } from '../store/store.js'

export const DEFAULT_PAGE_SIZE = 20
export const MAX_PAGE_SIZE = 100

export interface Page<T> {
  items: T[]
  /** Opaque; pass back as `cursor` for the next page. Null on the last page. */
  nextCursor: string | null
}

export interface PageRequest {
  cursor?: string | undefined
  limit?: number | undefined
}

/** Keyset cursors: the last row's (time, id), base64url JSON. Opaque to clients. */
function decodeCursor(cursor: string | undefined): PageAfter | undefined {
  if (cursor === undefined || cursor === '') return undefined
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === 'string'
    ) {
      return { at: value[0] as number, id: value[1] }
    }
  } catch {
    // fall through to the error below
  }
  throw new GatehouseError('invalid_request', 'The cursor is not one this server issued')
}

function encodeCursor(after: PageAfter): string {
  return Buffer.from(JSON.stringify([after.at, after.id])).toString('base64url')
}

/**
 * Runs a keyset query asking for one row more than the page, to know whether another
 * page follows without a count.
 */
export async function paginate<Row, Item>(
  request: PageRequest,
  query: (page: { limit: number; after?: PageAfter }) => Promise<Row[]>,
  positionOf: (row: Row) => PageAfter,
  toItem: (row: Row) => Item,
): Promise<Page<Item>> {
  const limit = Math.min(Math.max(request.limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE)
  const after = decodeCursor(request.cursor)
  const rows = await query({ limit: limit + 1, ...(after && { after }) })
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  return {
    items: page.map(toItem),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(positionOf(last)) : null,
  }
}
