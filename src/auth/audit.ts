import { newId } from '../ids.js'
import type { AuditEventRecord, AuditEventType } from '../store/store.js'
import type { AuthDeps, RequestContext } from './deps.js'

/** Appends a security event. Details never hold passwords, tokens or secrets. */
export async function recordAudit(
  deps: AuthDeps,
  type: AuditEventType,
  context: RequestContext,
  userId: string | null,
  details: Record<string, unknown> = {},
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
