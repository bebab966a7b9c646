import { once } from 'node:events'
import { exportAudit, toAuditEventView } from '../../../auth/audit.js'
import type { SettingName } from '../../../config/schema.js'
import { withExistingDatabase } from '../../../cli/open.js'
import { AUDIT_EVENT_TYPES, type AuditEventType, type AuditFilter } from '../../../store/store.js'

export interface AuditExportFlags {
  since?: string | undefined
  until?: string | undefined
  type?: string | undefined
  user?: string | undefined
}

export const AUDIT_USAGE =
  'usage: gatehouse audit export [--since TIME] [--until TIME] [--type TYPE] [--user USER_ID]\n' +
  '  TIME is an ISO 8601 date-time (2026-11-01T00:00:00Z) or an age such as 90m, 24h, 7d\n'

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** An ISO 8601 date-time, or an age before now such as `24h`; undefined if neither. */
export function parseTimeArgument(value: string, now: number): number | undefined {
  const age = /^(\d{1,9})([smhd])$/.exec(value)
  if (age?.[1] !== undefined && age[2] !== undefined) {
    return now - Number(age[1]) * (UNIT_MS[age[2]] ?? 0)
  }
  // Only full dates or date-times: Date.parse alone would take "1" or "May 3".
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) return undefined
  const time = Date.parse(value)
  return Number.isNaN(time) ? undefined : time
}

/**
 * `audit export`: the matching audit events, oldest first, one JSON object per line on
 * stdout, in the admin API's shape. Reads in pages, so memory stays flat for any size.
 */
export async function auditCommand(
  args: string[],
  settings: Partial<Record<SettingName, unknown>>,
  flags: AuditExportFlags,
): Promise<number> {
  if (args[0] !== 'export' || args.length > 1) return usage()
  const filter: AuditFilter = {}
  for (const name of ['since', 'until'] as const) {
    const value = flags[name]
    if (value === undefined) continue
    const time = parseTimeArgument(value, Date.now())
    if (time === undefined) return usage(`--${name}: not a date-time or age: ${value}`)
    filter[name] = time
  }
  if (flags.type !== undefined) {
    if (!(AUDIT_EVENT_TYPES as readonly string[]).includes(flags.type)) {
      return usage(`--type: one of ${AUDIT_EVENT_TYPES.join(', ')}`)
    }
    filter.type = flags.type as AuditEventType
  }
  if (flags.user !== undefined) filter.userId = flags.user

  return withExistingDatabase(settings, async (core) => {
    for await (const event of exportAudit(core.auth, filter)) {
      const line = `${JSON.stringify(toAuditEventView(event))}\n`
      if (!process.stdout.write(line)) await once(process.stdout, 'drain')
    }
    return 0
  })
}

function usage(problem?: string): number {
  process.stderr.write(
    `${problem === undefined ? '' : `gatehouse audit: ${problem}\n`}${AUDIT_USAGE}`,
  )
  return 2
}
