import type { Metric, Registry } from 'prom-client'

/** One sample as prom-client's registry formats it. */
interface Sample {
  metricName: string
  labels: Record<string, string | number>
  value: number
}

/** One labelled series: cumulative counts are computed at scrape time. */
interface Series {
  labels: Record<string, string | number>
  /** counts[i] = observations in (bounds[i-1], bounds[i]]; the last slot is above every bound. */
  counts: Float64Array
  sum: number
  count: number
}

export interface LatencyHistogram {
  /** The series for these labels, created once; observe on it for each request. */
  series(labels: Record<string, string | number>): (seconds: number) => void
}

/**
 * A Prometheus histogram for the per-request hot path. prom-client's own `Histogram`
 * (even through `labels()`) re-validates and hashes the labels and allocates on every
 * observation, which showed up as garbage-collection time in the request benchmark;
 * here an observation is a bucket search and three additions on a series found once.
 * prom-client still formats the output (registered as a custom metric), and
 * `test/unit/latency-histogram.test.ts` checks the text against prom-client's Histogram.
 */
export function createLatencyHistogram(options: {
  name: string
  help: string
  buckets: readonly number[]
  registry: Registry
}): LatencyHistogram {
  const bounds = [...options.buckets].sort((a, b) => a - b)
  const all: Series[] = []

  const metric = {
    name: options.name,
    help: options.help,
    type: 'histogram' as const,
    aggregator: 'sum' as const,
    get() {
      const values: Sample[] = []
      for (const s of all) {
        let cumulative = 0
        bounds.forEach((le, i) => {
          cumulative += s.counts[i] ?? 0
          values.push(value(`${options.name}_bucket`, { le, ...s.labels }, cumulative))
        })
        values.push(value(`${options.name}_bucket`, { le: '+Inf', ...s.labels }, s.count))
        values.push(value(`${options.name}_sum`, s.labels, s.sum))
        values.push(value(`${options.name}_count`, s.labels, s.count))
      }
      const { name, help, type, aggregator } = metric
      return Promise.resolve({ name, help, type, values, aggregator })
    },
  }
  // A custom metric: prom-client calls get() at each scrape and formats the samples.
  options.registry.registerMetric(metric as unknown as Metric)

  return {
    series(labels) {
      const s: Series = { labels, counts: new Float64Array(bounds.length + 1), sum: 0, count: 0 }
      all.push(s)
      return (seconds) => {
        let i = 0
        while (i < bounds.length && seconds > (bounds[i] as number)) i++
        s.counts[i] = (s.counts[i] ?? 0) + 1
        s.sum += seconds
        s.count++
      }
    },
  }
}

function value(metricName: string, labels: Sample['labels'], count: number): Sample {
  return { metricName, labels, value: count }
}
