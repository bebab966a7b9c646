import { newId } from '../ids.js'
import type {
  AuditEventRecord,
  AuditEventType,
  AuditFilter,
  PageAfter,
  UserRecord,
} from '../store/store.js'
import type { AuthDeps, RequestContext } from './deps.js'
import { paginate, type Page, type PageRequest } from './pagination.js'

/**
 * Appends a security event, then runs the capabilities' reactions to it (`deps.on`), in
 * order. Details never hold passwords, tokens or secrets; `facts.user` (the user before the
 * change) reaches the reactions and is not stored.
 */
export async function recordAudit(
  deps: AuthDeps,
  type: AuditEventType,
  context: RequestContext,
  userId: string | null,
  details: Record<string, unknown> = {},
  facts: { user?: UserRecord } = {},
): Promise<void> {
  await deps.store.audit.append({
    id: newId(),
    type,
    userId,
    ip: context.ip,
    userAgent: context.userAgent,
    at: deps.clock.now(),
    details,
  })
  deps.telemetry.audited(type, details)
  const reactions = deps.on[type]
  if (reactions === undefined) return
  const event = { type, userId, context, details, user: facts.user }
  for (const react of reactions) await react(deps, event)
}

/** An audit event as the admin API and `gatehouse audit export` show it. */
export interface AuditEventView {
  id: string
  type: AuditEventType
  user_id: string | null
  ip: string | null
  user_agent: string | null
  /** ISO 8601 */
  at: string
  details: Record<string, unknown>
}

export function toAuditEventView(event: AuditEventRecord): AuditEventView {
  return {
    id: event.id,
    type: event.type,
    user_id: event.userId,
    ip: event.ip,
    user_agent: event.userAgent,
    at: new Date(event.at).toISOString(),
    details: event.details,
  }
}

/** Audit events read per query by an export. */
const EXPORT_PAGE = 500

/** The audit log, newest first, a page at a time. */
export function listAudit(
  deps: AuthDeps,
  filter: AuditFilter,
  request: PageRequest,
): Promise<Page<AuditEventRecord>> {
  return paginate(
    request,
    (page) => deps.store.audit.list(filter, page),
    (event) => ({ at: event.at, id: event.id }),
    (event) => event,
  )
}

/** Every matching audit event, oldest first, read in pages as the caller consumes them. */
export async function* exportAudit(
  deps: AuthDeps,
  filter: AuditFilter,
): AsyncIterable<AuditEventRecord> {
  let after: PageAfter | undefined
  for (;;) {
    const page = await deps.store.audit.listOldestFirst(filter, {
      limit: EXPORT_PAGE,
      ...(after && { after }),
    })
    yield* page
    const last = page.at(-1)
    if (last === undefined || page.length < EXPORT_PAGE) return
    after = { at: last.at, id: last.id }
  }
}

export { AUDIT_EVENT_TYPES, type AuditEventRecord, type AuditEventType } from '../store/store.js'
