import { newId } from '../../../ids.js'
import type { MailContext } from '../../../mail/templates.js'
import type { MailMessage, MailTransport } from '../../../mail/transport.js'
import type { MailRecord, MailStatus, UserRecord } from '../../../store/store.js'
import { recordAudit } from '../../../auth/audit.js'
import { NO_REQUEST, type AuthDeps } from '../../../auth/deps.js'

/** Attempts before a message is given up (and audited): about a day of retries. */
export const MAX_MAIL_ATTEMPTS = 10
/** How long a claimed message is an instance's to send before another may try. */
const LEASE_MS = 60_000
/** Messages claimed per pass. */
const BATCH = 20

/** Seconds to wait after the n-th failed attempt: 30 s, 1 min, 2 min, … at most 4 h. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** (attempts - 1), 4 * 3600_000)
}

/**
 * Queues a message; the request that caused it never waits for SMTP. Without an SMTP
 * server the message goes to the outbox (`gatehouse mail outbox`) instead.
 */
export async function enqueueMail(deps: AuthDeps, message: MailMessage): Promise<void> {
  const status = deps.mailDelivery ? 'pending' : 'outbox'
  await deps.store.mail.enqueue(newMailRecord(message, status, deps.clock.now()))
  if (status === 'pending') deps.mailQueued.notify()
}

/** A message as the queue first holds it: never tried, due at once. */
export function newMailRecord(
  message: MailMessage,
  status: Extract<MailStatus, 'pending' | 'outbox'>,
  now: number,
): MailRecord {
  return {
    id: newId(),
    ...message,
    status,
    attempts: 0,
    nextAttemptAt: now,
    lastError: null,
    createdAt: now,
    sentAt: null,
  }
}

/**
 * Tells the user's verified address what just changed on their account. An unverified
 * address gets nothing: it may not be theirs.
 */
export async function sendSecurityNotice(
  deps: AuthDeps,
  user: UserRecord,
  compose: (ctx: MailContext) => MailMessage,
): Promise<void> {
  if (user.email === null || user.emailVerifiedAt === null) return
  await mailUser(deps, user, user.email, compose)
}

/** Queues a message to `address` about `user`, in the product's name. */
export function mailUser(
  deps: AuthDeps,
  user: UserRecord,
  address: string,
  compose: (ctx: MailContext) => MailMessage,
): Promise<void> {
  return enqueueMail(
    deps,
    compose({
      product: deps.settings.productName,
      issuer: deps.settings.issuer,
      to: address,
      username: user.username,
    }),
  )
}

/**
 * One pass of delivery: claims due messages (each by one instance only), sends them at
 * once (the transport's pool bounds the connections) and records each outcome. A failure
 * is retried with backoff; the last failure is audited. Returns how many were sent.
 */
export async function deliverDueMail(deps: AuthDeps, transport: MailTransport): Promise<number> {
  return (await deliverPass(deps, transport)).sent
}

/**
 * Passes until the queue holds nothing due: a burst (a thousand sign-ups) leaves at the
 * SMTP server's pace, not one batch per poll. Returns how many were sent.
 */
export async function deliverAllDueMail(deps: AuthDeps, transport: MailTransport): Promise<number> {
  let total = 0
  for (;;) {
    const { claimed, sent } = await deliverPass(deps, transport)
    total += sent
    // A short batch means the queue is empty; a failure means the server is struggling.
    if (claimed < BATCH || sent < claimed) return total
  }
}

async function deliverPass(
  deps: AuthDeps,
  transport: MailTransport,
): Promise<{ claimed: number; sent: number }> {
  const due = await deps.store.mail.claimDue(deps.clock.now(), BATCH, LEASE_MS)
  const outcomes = await Promise.all(due.map((message) => deliverOne(deps, transport, message)))
  return { claimed: due.length, sent: outcomes.filter(Boolean).length }
}

async function deliverOne(
  deps: AuthDeps,
  transport: MailTransport,
  message: MailRecord,
): Promise<boolean> {
  try {
    await transport.send({
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    })
    await deps.store.mail.markSent(message.id, deps.clock.now())
    deps.telemetry.mailAttempted('sent')
    return true
  } catch (error) {
    const attempts = message.attempts + 1
    const reason = error instanceof Error ? error.message : String(error)
    const giveUp = attempts >= MAX_MAIL_ATTEMPTS
    await deps.store.mail.markAttemptFailed(
      message.id,
      reason,
      giveUp ? null : deps.clock.now() + retryDelayMs(attempts),
    )
    deps.telemetry.mailAttempted(giveUp ? 'failed' : 'retry')
    if (giveUp) {
      // The address is personal data the audit log need not keep: the id finds the message.
      await recordAudit(deps, 'mail_failed', NO_REQUEST, null, {
        mail_id: message.id,
        attempts,
        error: reason.slice(0, 200),
      })
    }
    return false
  }
}

/** Queued or kept mail, newest first (`gatehouse mail outbox`). */
export function listMail(deps: AuthDeps, status: MailStatus, limit: number): Promise<MailRecord[]> {
  return deps.store.mail.list({ status }, { limit })
}
