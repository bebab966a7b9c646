import { v7 } from 'uuid'

/**
 * New record ids: UUIDv7 (RFC 9562), time-ordered and monotonic within this process, so
 * rows created in the same millisecond still list in creation order, and indexes on the
 * id stay append-mostly.
 */
export function newId(): string {
  return v7()
}
