import type { Auth } from './context.js'

const DAY_MS = 86_400_000

/**
 * Periodic upkeep, safe on every instance: the capabilities' jobs in list order (keys
 * picked up or rotated, revocations the bus could not bring, expired links, second steps
 * and authorization codes dropped), then audit retention.
 */
export async function runMaintenance(auth: Auth): Promise<void> {
  for (const job of auth.jobs) await job.run(auth)
  if (auth.settings.auditRetentionDays > 0) {
    await auth.store.audit.deleteBefore(
      auth.clock.now() - auth.settings.auditRetentionDays * DAY_MS,
    )
  }
}
