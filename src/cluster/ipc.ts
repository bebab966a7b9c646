import cluster, { type Worker } from 'node:cluster'
import { AggregatorRegistry, type Registry } from 'prom-client'
import type { ClusterBus, ClusterEvent } from './bus.js'
import type { AttemptOutcome, LockoutPolicy, LockoutTracker, RateLimiter } from './limiter.js'
import { createMemoryLockoutTracker, createMemoryRateLimiter } from './limiter-memory.js'

/**
 * Shared state for `serve --workers N` without Redis: the primary process holds the
 * counters and relays events; workers reach it over node:cluster's IPC channel. Exact
 * across the workers of one machine; Redis is for several machines.
 */

type Request =
  | { op: 'hit'; args: [string, number, number, number] }
  | { op: 'reserve'; args: [string, string, number] }
  | { op: 'settle'; args: [string, string, AttemptOutcome, number] }
  | { op: 'metrics' }

type Message =
  | { gatehouse: 'call'; id: string; request: Request }
  | { gatehouse: 'result'; id: string; value?: unknown; error?: string }
  | { gatehouse: 'event'; event: ClusterEvent }

function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && 'gatehouse' in value
}

/**
 * In the primary: answer the workers' counter calls, relay their events to the others, and
 * gather every worker's metrics for whichever worker a scrape of /metrics reached.
 */
export function serveWorkerState(policy: LockoutPolicy): void {
  const answer = createPrimaryAnswerer(policy)
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isMessage(message)) return
    if (message.gatehouse === 'call') {
      answer(message.request).then(
        (value) => worker.send({ gatehouse: 'result', id: message.id, value }),
        (error: unknown) =>
          worker.send({ gatehouse: 'result', id: message.id, error: String(error) }),
      )
    } else if (message.gatehouse === 'event') {
      for (const other of Object.values(cluster.workers ?? {})) {
        if (other && other !== worker && other.isConnected()) other.send(message)
      }
    }
  })
}

/** The primary's side of a call: one state for all workers; an unknown call is an error. */
export function createPrimaryAnswerer(
  policy: LockoutPolicy,
): (request: unknown) => Promise<unknown> {
  const limiter = createMemoryRateLimiter()
  const lockout = createMemoryLockoutTracker(policy)
  const metrics = new AggregatorRegistry()
  return (raw) => {
    const request = raw as Request
    switch (request.op) {
      case 'hit':
        return limiter.hit(...request.args)
      // One message, answered by one synchronous step in the primary: atomic across workers.
      case 'reserve':
        return lockout.reserve(...request.args)
      case 'settle':
        return lockout.settle(...request.args)
      case 'metrics':
        return metrics.clusterMetrics()
      default:
        // A worker of another version, or a message that is not ours: answer, never hang.
        return Promise.reject(
          new Error(`unknown operation ${JSON.stringify((request as { op?: unknown }).op)}`),
        )
    }
  }
}
export interface WorkerState {
  rateLimiter: RateLimiter
  lockout: LockoutTracker
  bus: ClusterBus
}

/** How long a worker waits for the primary's answer. */
const CALL_TIMEOUT_MS = 5_000

/** A worker's end of the IPC channel: `process` in a cluster worker. */
export interface WorkerPort {
  send(message: unknown): unknown
  on(event: 'message', listener: (message: unknown) => void): unknown
}

function processPort(): WorkerPort {
  const send = process.send?.bind(process)
  if (!send) throw new Error('the primary can only be called from a cluster worker')
  return {
    send: (message) => send(message),
    on: (event, listener) => process.on(event, listener),
  }
}

/**
 * Calls answered by the primary over node:cluster's IPC channel. Each caller of a process
 * has its own `channel`, so answers reach only the caller that asked.
 */
export function primaryCaller(
  channel: string,
  onEvent?: (event: ClusterEvent) => void,
  port: WorkerPort = processPort(),
  timeoutMs = CALL_TIMEOUT_MS,
) {
  const send = (message: Message) => port.send(message)
  let nextId = 0
  const pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  port.on('message', (message: unknown) => {
    if (!isMessage(message)) return
    if (message.gatehouse === 'result') {
      const call = pending.get(message.id)
      if (call === undefined) return
      pending.delete(message.id)
      if (message.error !== undefined) call.reject(new Error(message.error))
      else call.resolve(message.value)
    } else if (message.gatehouse === 'event') {
      onEvent?.(message.event)
    }
  })
  return {
    send,
    call: <T>(request: Request): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        const id = `${channel}:${nextId++}`
        // A primary that does not answer (busy, gone) must not hold the request forever;
        // callers fall back or fail like an unreachable Redis.
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(new Error(`the primary did not answer ${request.op} within ${timeoutMs} ms`))
        }, timeoutMs)
        timer.unref()
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer)
            resolve(value as T)
          },
          reject: (error) => {
            clearTimeout(timer)
            reject(error)
          },
        })
        send({ gatehouse: 'call', id, request })
      }),
  }
}

/** In a worker: counters and events through the primary. */
export function createWorkerState(): WorkerState {
  const handlers: ((event: ClusterEvent) => void)[] = []
  const { send, call } = primaryCaller('state', (event) => {
    for (const handler of handlers) handler(event)
  })
  return {
    rateLimiter: { hit: (...args) => call({ op: 'hit', args }) },
    lockout: {
      reserve: (...args) => call({ op: 'reserve', args }),
      settle: (...args) => call({ op: 'settle', args }),
    },
    bus: {
      publish: (event) => {
        send({ gatehouse: 'event', event })
      },
      subscribe: (handler) => {
        handlers.push(handler)
      },
      close: () => Promise.resolve(),
    },
  }
}

/**
 * In a worker: offers this registry to the primary's aggregation and returns a function
 * that fetches every worker's metrics, summed (Prometheus text), through the primary.
 */
export function workerMetrics(registry: Registry): () => Promise<string> {
  // prom-client answers the primary's requests for this worker's metrics.
  new AggregatorRegistry()
  AggregatorRegistry.setRegistries([registry])
  const { call } = primaryCaller('metrics')
  return () => call<string>({ op: 'metrics' })
}
