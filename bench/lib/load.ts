import autocannon from 'autocannon'

export interface LoadOptions {
  url: string
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  connections: number
  /** HTTP pipelining depth per connection. */
  pipelining?: number
  /** Seconds; ignored when `amount` is set. */
  duration?: number
  /** Stop after this many requests. */
  amount?: number
  /** Requests per second across all connections (a fixed-rate load, not a flood). */
  overallRate?: number
  /** A bearer token per request, taken in turn: each one is used once per pass. */
  tokens?: readonly string[]
}

export interface LoadResult {
  requestsPerSecond: number
  p50: number
  p99: number
  requests: number
  seconds: number
  /** Responses that were not 2xx, plus connection errors and timeouts. */
  failures: number
}

/** One autocannon run from this process (the benchmark pins it to its own core). */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const { tokens } = options
  let next = 0
  const started = performance.now()
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ...(options.body !== undefined && { body: options.body }),
    connections: options.connections,
    pipelining: options.pipelining ?? 1,
    ...(options.amount !== undefined
      ? { amount: options.amount }
      : { duration: options.duration ?? 10 }),
    ...(options.overallRate !== undefined && { overallRate: options.overallRate }),
    ...(tokens !== undefined && {
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            headers: {
              ...request.headers,
              authorization: `Bearer ${tokens[next++ % tokens.length] ?? ''}`,
            },
          }),
        },
      ],
    }),
  })
  // autocannon reports whole seconds; runs bounded by `amount` need the real time.
  const seconds = (performance.now() - started) / 1000
  const requests = result['2xx'] + result.non2xx
  return {
    requestsPerSecond: requests / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests,
    seconds,
    failures: result.non2xx + result.errors + result.timeouts,
  }
}
