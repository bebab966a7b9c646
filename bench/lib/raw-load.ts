import { connect, type Socket } from 'node:net'
import type { LoadResult } from './load.js'
import { percentiles } from './percentiles.js'

/**
 * A minimal pipelining HTTP/1.1 client for runs where every request carries a different
 * token. autocannon rebuilds a request it must vary (`setupRequest`) at a cost that made
 * it, not the server, the limit at ~5,000 requests/s; here each request is serialised once,
 * before the run, and the connections take the next ones from one shared list, so no
 * token is sent twice.
 */
export async function rawLoad(options: {
  url: string
  tokens: readonly string[]
  connections: number
  pipelining: number
  /** Requests to send, cycling through the tokens; default one per token. */
  amount?: number
}): Promise<LoadResult> {
  const url = new URL(options.url)
  const requests = options.tokens.map((token) =>
    Buffer.from(
      `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\n\r\n`,
    ),
  )
  const amount = options.amount ?? requests.length
  let next = 0
  let failures = 0
  const latencies: number[] = []
  const started = performance.now()

  async function lane(): Promise<void> {
    const socket = await open(Number(url.port), url.hostname)
    const reader = responseCounter(socket)
    for (;;) {
      const size = Math.min(options.pipelining, amount - next)
      if (size <= 0) break
      const batch = Array.from({ length: size }, (_, i) => requests[(next + i) % requests.length])
      next += size
      const sent = performance.now()
      socket.write(Buffer.concat(batch as Buffer[]))
      const statuses = await reader.next(batch.length)
      const elapsed = performance.now() - sent
      for (const status of statuses) {
        latencies.push(elapsed)
        if (status !== 200) failures++
      }
    }
    socket.destroy()
  }
  await Promise.all(Array.from({ length: options.connections }, lane))
  const seconds = (performance.now() - started) / 1000
  const { p50, p99 } = percentiles(latencies)
  return {
    requestsPerSecond: latencies.length / seconds,
    p50: Math.round(p50),
    p99: Math.round(p99),
    requests: latencies.length,
    seconds,
    failures,
  }
}

function open(port: number, host: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host, () => resolve(socket))
    socket.once('error', reject)
  })
}

const STATUS_LINE = 'HTTP/1.1 '

/** Reads status codes off a socket: the responses are small and the body never holds one. */
function responseCounter(socket: Socket) {
  let text = ''
  const statuses: number[] = []
  let waiting: { count: number; resolve: (codes: number[]) => void } | undefined
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => {
    text += chunk
    for (;;) {
      const at = text.indexOf(STATUS_LINE)
      if (at < 0 || text.length < at + STATUS_LINE.length + 3) break
      statuses.push(Number(text.slice(at + STATUS_LINE.length, at + STATUS_LINE.length + 3)))
      text = text.slice(at + STATUS_LINE.length + 3)
    }
    if (waiting && statuses.length >= waiting.count) {
      const { count, resolve } = waiting
      waiting = undefined
      resolve(statuses.splice(0, count))
    }
  })
  return {
    next(count: number): Promise<number[]> {
      if (statuses.length >= count) return Promise.resolve(statuses.splice(0, count))
      return new Promise((resolve) => {
        waiting = { count, resolve }
      })
    },
  }
}
