import { percentiles } from './percentiles.js'

export interface FlowResult {
  /** Completed flows per second (a flow may be several requests). */
  perSecond: number
  p50: number
  p99: number
  flows: number
  failures: number
}

/**
 * `concurrency` clients, each running `flow` again and again until `seconds` pass or
 * `next()` has nothing left (it returns null): a closed loop, as real clients are.
 */
export async function runFlows<T>(
  concurrency: number,
  seconds: number,
  next: (lane: number) => T | null,
  flow: (item: T) => Promise<boolean>,
): Promise<FlowResult> {
  const latencies: number[] = []
  let failures = 0
  const started = performance.now()
  const end = started + seconds * 1000
  const lane = async (index: number) => {
    while (performance.now() < end) {
      const item = next(index)
      if (item === null) return
      const sent = performance.now()
      const ok = await flow(item).catch(() => false)
      if (ok) latencies.push(performance.now() - sent)
      else failures++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, index) => lane(index)))
  const elapsed = (performance.now() - started) / 1000
  return {
    perSecond: latencies.length / elapsed,
    ...percentiles(latencies),
    flows: latencies.length,
    failures,
  }
}

/** A cookie jar for fetch: what a browser keeps between requests, nothing more. */
export class CookieJar {
  private readonly cookies = new Map<string, string>()

  header(): Record<string, string> {
    if (this.cookies.size === 0) return {}
    return { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') }
  }

  keep(res: Response): Response {
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? ''
      const equals = pair.indexOf('=')
      const value = pair.slice(equals + 1)
      if (value === '') this.cookies.delete(pair.slice(0, equals))
      else this.cookies.set(pair.slice(0, equals), value)
    }
    return res
  }
}

/** POSTs JSON; answers the status and the parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  const parsed = text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {}
  return { status: res.status, body: parsed }
}
