import cluster from 'node:cluster'
import type { FastifyRequest } from 'fastify'
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client'
import { workerMetrics } from '../cluster/ipc.js'
import { GatehouseError } from '../errors/index.js'
import { parseBearerHeader } from '../bearer.js'
import { sharedSecretMatches } from '../auth/shared-secret.js'
import type { Telemetry, TelemetrySink } from '../auth/telemetry.js'
import type { GatehouseInstance } from './route-deps.js'
import { sendError } from './error-handler.js'
import { createLatencyHistogram } from './latency-histogram.js'
import { ErrorBody } from './schemas/common.js'

/** Seconds; from a cached token check (well under a millisecond) to an argon2 login. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

/**
 * The Prometheus registry of one app: HTTP requests (route, status, latency), what the core
 * reports through its telemetry (logins, refreshes, reuse, limits, refused credentials,
 * audit events), the revocation list's size and the process's own metrics.
 */
/** Records the answered requests of one route: its labels are fixed when it is registered. */
export type RouteObserver = (method: string, statusCode: number, elapsedMs: number) => void

export interface Metrics {
  registry: Registry
  /** The text a scrape gets: this process's metrics, or every worker's under --workers. */
  scrape(): Promise<string>
  /** The observer for a route, made once when the route is registered. */
  routeObserver(url: string): RouteObserver
  /** Stops listening to the core. */
  close(): void
}

/** What metrics read of a running Gatehouse. */
export interface MetricsSource {
  telemetry: Telemetry
  /** Entries in this instance's in-memory revocation list. */
  revocationCount(): number
}

export function createMetrics(core: MetricsSource): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })

  const requestDuration = createLatencyHistogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'Time to answer HTTP requests; _count is the number of requests.',
    buckets: LATENCY_BUCKETS,
    registry,
  })
  const logins = new Counter<'outcome'>({
    name: 'gatehouse_logins_total',
    help: 'Password logins by outcome (success, invalid_credentials, locked_out, user_disabled).',
    labelNames: ['outcome'],
    registers: [registry],
  })
  const mfa = new Counter<'outcome'>({
    name: 'gatehouse_mfa_total',
    help: 'Second factors: "success" and "failure" of second login steps, "enrolled", "removed", "reset" (by an admin).',
    labelNames: ['outcome'],
    registers: [registry],
  })
  const refreshes = new Counter({
    name: 'gatehouse_refreshes_total',
    help: 'Refresh tokens rotated.',
    registers: [registry],
  })
  const reuse = new Counter({
    name: 'gatehouse_refresh_reuse_detected_total',
    help: 'Rotated refresh tokens presented again after the reuse window; each ended a session.',
    registers: [registry],
  })
  const limited = new Counter<'limit'>({
    name: 'gatehouse_rate_limited_total',
    help: 'Requests answered 429: limit "ip" (per client address), "lockout" (per username) or "address" (mail to one email address).',
    labelNames: ['limit'],
    registers: [registry],
  })
  const mail = new Counter<'outcome'>({
    name: 'gatehouse_mail_attempts_total',
    help: 'Mail delivery attempts by outcome: "sent", "retry" (SMTP failed, tried again later) or "failed" (given up, audited).',
    labelNames: ['outcome'],
    registers: [registry],
  })
  const refused = new Counter<'reason'>({
    name: 'gatehouse_token_verification_failures_total',
    help: 'Credentials refused by a guard, by error code (missing_token, invalid_token, token_expired, token_revoked).',
    labelNames: ['reason'],
    registers: [registry],
  })
  const audited = new Counter<'type'>({
    name: 'gatehouse_audit_events_total',
    help: 'Security events written to the audit log, by type.',
    labelNames: ['type'],
    registers: [registry],
  })
  new Gauge({
    // Named before revocations had one name; kept so dashboards keep working.
    name: 'gatehouse_denylist_entries',
    help: 'Revoked tokens, sessions and subjects held in this instance’s revocation list.',
    registers: [registry],
    // Every worker holds the same list: the largest is the instance's.
    aggregator: 'max',
    collect() {
      this.set(core.revocationCount())
    },
  })

  const sink: TelemetrySink = {
    audited(type, details) {
      audited.inc({ type })
      const outcome = MFA_OUTCOMES[type]
      if (outcome !== undefined) mfa.inc({ outcome })
      if (type === 'login_success') {
        logins.inc({ outcome: 'success' })
        if (Array.isArray(details.amr) && details.amr.includes('mfa'))
          mfa.inc({ outcome: 'success' })
      } else if (type === 'login_failure')
        logins.inc({ outcome: loginFailureOutcome(details.reason) })
      else if (type === 'refresh') refreshes.inc()
      else if (type === 'refresh_reuse_detected') reuse.inc()
    },
    credentialRefused: (reason) => refused.inc({ reason }),
    limited: (limit) => limited.inc({ limit }),
    mailAttempted: (outcome) => mail.inc({ outcome }),
  }
  const detach = core.telemetry.attach(sink)

  // Each route keeps its histogram children by method and status: per request a lookup in
  // a small map, no label hashing, no string building. Bounded by methods × statuses.
  function routeObserver(route: string): RouteObserver {
    const children = new Map<string, Map<number, (seconds: number) => void>>()
    return (method, statusCode, elapsedMs) => {
      let byStatus = children.get(method)
      if (byStatus === undefined)
        children.set(method, (byStatus = new Map<number, (seconds: number) => void>()))
      let observe = byStatus.get(statusCode)
      if (observe === undefined) {
        observe = requestDuration.series({ method, route, status_code: statusCode })
        byStatus.set(statusCode, observe)
      }
      observe(elapsedMs / 1000)
    }
  }

  // Under `serve --workers N` a scrape reaches one worker; it answers for all of them.
  const scrape = cluster.isWorker ? workerMetrics(registry) : () => registry.metrics()
  return { registry, scrape, routeObserver, close: detach }
}

/** Requests that matched no route share one label, so scanners cannot grow the series. */
export const UNMATCHED_ROUTE = 'unmatched'

/** `GET /metrics` in Prometheus's text format; with a token configured, scrapes must present it. */
export function metricsRoute(
  app: GatehouseInstance,
  metrics: Metrics,
  token: string | undefined,
): void {
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics',
        description:
          'Prometheus text format. Needs `Authorization: Bearer <GATEHOUSE_METRICS_TOKEN>` when that setting is set.',
        tags: ['operations'],
        produces: ['text/plain'],
        ...(token !== undefined && { security: [{ metricsToken: [] }] }),
        response: {
          200: { type: 'string', description: 'Prometheus exposition format 0.0.4' },
          401: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const refusal = token === undefined ? undefined : checkMetricsToken(request, token)
      if (refusal) {
        sendError(request, reply, refusal)
        return reply
      }
      const body = await metrics.scrape()
      return reply.type(metrics.registry.contentType).send(body)
    },
  )
}

function checkMetricsToken(request: FastifyRequest, token: string): GatehouseError | undefined {
  try {
    const presented = parseBearerHeader(request.headers.authorization)
    return sharedSecretMatches(presented, token) ? undefined : new GatehouseError('invalid_token')
  } catch (error) {
    return error instanceof GatehouseError ? error : new GatehouseError('invalid_token')
  }
}

/**
 * An unknown username and a wrong password are one outcome: a metric anyone can scrape must
 * not tell which usernames exist (the audit log, for admins, keeps the difference).
 */
const MFA_OUTCOMES: Partial<Record<string, string>> = {
  mfa_failure: 'failure',
  mfa_enrolled: 'enrolled',
  mfa_removed: 'removed',
  mfa_reset: 'reset',
}

function loginFailureOutcome(reason: unknown): string {
  return reason === 'unknown_user' || reason === 'wrong_password'
    ? 'invalid_credentials'
    : String(reason)
}
