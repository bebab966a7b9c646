import { newId } from '../ids.js'
import type { AuditEventType } from '../store/store.js'
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
}
