import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type LabelValues,
} from 'prom-client'
import type { Core } from '../core.js'
import { GatehouseError } from '../errors.js'
import { parseBearerHeader } from '../bearer.js'
import { safeEqual } from '../tokens/derive-key.js'
import type { TelemetrySink } from '../telemetry.js'
import type { GatehouseInstance } from './routes/context.js'
import { sendError } from './error-handler.js'
import { ErrorBody } from './schemas/common.js'

/** Seconds; from a cached token check (well under a millisecond) to an argon2 login. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

/** Requests that matched no route share one label, so scanners cannot grow the series. */
const UNMATCHED_ROUTE = 'unmatched'

type RequestLabels = 'method' | 'route' | 'status_code'

interface Observer {
  observe(value: number): void
}

/**
 * The Prometheus registry of one app: HTTP requests (route, status, latency), what the core
 * reports through its telemetry (logins, refreshes, reuse, limits, refused credentials,
 * audit events), the revocation list's size and the process's own metrics.
 */
export interface Metrics {
  registry: Registry
  /** Records one answered request; call from an onResponse hook. */
  observeRequest(request: FastifyRequest, reply: FastifyReply): void
  /** Stops listening to the core. */
  close(): void
}

export function createMetrics(core: Core): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })

  const requestDuration = new Histogram<RequestLabels>({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'Time to answer HTTP requests; _count is the number of requests.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  })
  const logins = new Counter<'outcome'>({
    name: 'gatehouse_logins_total',
    help: 'Password logins by outcome (success, wrong_password, unknown_user, locked_out, user_disabled).',
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
    help: 'Requests answered 429: limit "ip" (per client address) or "lockout" (per username).',
    labelNames: ['limit'],
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
    name: 'gatehouse_denylist_entries',
    help: 'Revoked tokens, sessions and subjects held in this instance’s revocation list.',
    registers: [registry],
    collect() {
      this.set(core.revocationCount())
    },
  })

  const sink: TelemetrySink = {
    audited(type, details) {
      audited.inc({ type })
      if (type === 'login_success') logins.inc({ outcome: 'success' })
      else if (type === 'login_failure') logins.inc({ outcome: String(details.reason) })
      else if (type === 'refresh') refreshes.inc()
      else if (type === 'refresh_reuse_detected') reuse.inc()
    },
    credentialRefused: (reason) => refused.inc({ reason }),
    limited: (limit) => limited.inc({ limit }),
  }
  const detach = core.telemetry.attach(sink)

  // One child per (method, route, status): looking it up by a string is cheaper than
  // prom-client hashing a label object on every request. Bounded by routes × statuses.
  const children = new Map<string, Observer>()
  function observeRequest(request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE
    const key = `${request.method} ${reply.statusCode} ${route}`
    let child = children.get(key)
    if (child === undefined) {
      const labels: LabelValues<RequestLabels> = {
        method: request.method,
        route,
        status_code: reply.statusCode,
      }
      child = requestDuration.labels(labels)
      children.set(key, child)
    }
    child.observe(reply.elapsedTime / 1000)
  }

  return { registry, observeRequest, close: detach }
}

/**
 * `GET /metrics` in Prometheus's text format and the hook that times every request. With a
 * token configured, scrapes must present it as a bearer token.
 */
export function metricsRoutes(app: GatehouseInstance, core: Core): void {
  const metrics = createMetrics(core)
  const token = core.config.metricsToken
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request, reply)
    done()
  })
  app.addHook('onClose', (_app, done) => {
    metrics.close()
    done()
  })
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
      const body = await metrics.registry.metrics()
      return reply.type(metrics.registry.contentType).send(body)
    },
  )
}

function checkMetricsToken(request: FastifyRequest, token: string): GatehouseError | undefined {
  try {
    const presented = parseBearerHeader(request.headers.authorization)
    return safeEqual(presented, token) ? undefined : new GatehouseError('invalid_token')
  } catch (error) {
    return error instanceof GatehouseError ? error : new GatehouseError('invalid_token')
  }
}
