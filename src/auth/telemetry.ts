import type { ErrorCode } from '../errors/index.js'
import type { AuditEventType } from '../store/store.js'

/** Which limit refused a request. */
/** `address`: links mailed to one address (GATEHOUSE_EMAIL_RATE_LIMIT). */
export type LimitKind = 'ip' | 'lockout' | 'address'

/**
 * What Gatehouse reports as it works, for metrics. The use cases and guards call it; a sink
 * (Prometheus in `http/metrics.ts`) counts. Never handed a token, password or secret.
 */
export interface TelemetrySink {
  /** A security event was written to the audit log. */
  audited(type: AuditEventType, details: Readonly<Record<string, unknown>>): void
  /** A guard refused a credential before any role or scope check: the error code says why. */
  credentialRefused(reason: ErrorCode): void
  /** A rate limit or lockout answered 429. */
  limited(kind: LimitKind): void
  /** A delivery attempt ended: sent, to be retried, or given up. */
  mailAttempted(outcome: MailOutcome): void
}

export type MailOutcome = 'sent' | 'retry' | 'failed'

/** The core's telemetry: forwards to every attached sink (none by default, at no cost). */
export interface Telemetry extends TelemetrySink {
  /** Returns a function that detaches the sink again. */
  attach(sink: TelemetrySink): () => void
}

export function createTelemetry(): Telemetry {
  let sinks: readonly TelemetrySink[] = []
  return {
    attach(sink) {
      sinks = [...sinks, sink]
      return () => {
        sinks = sinks.filter((attached) => attached !== sink)
      }
    },
    audited(type, details) {
      for (const sink of sinks) sink.audited(type, details)
    },
    credentialRefused(reason) {
      for (const sink of sinks) sink.credentialRefused(reason)
    },
    mailAttempted(outcome) {
      for (const sink of sinks) sink.mailAttempted(outcome)
    },
    limited(kind) {
      for (const sink of sinks) sink.limited(kind)
    },
  }
}
