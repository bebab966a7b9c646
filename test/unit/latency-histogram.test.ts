import { Histogram, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { createLatencyHistogram } from '../../src/http/latency-histogram.js'

const BUCKETS = [0.001, 0.01, 0.1, 1]

describe('the hot-path latency histogram', () => {
  it("writes exactly what prom-client's Histogram writes for the same observations", async () => {
    const ours = new Registry()
    const theirs = new Registry()
    const histogram = createLatencyHistogram({
      name: 'h_seconds',
      help: 'help text',
      buckets: BUCKETS,
      registry: ours,
    })
    const reference = new Histogram({
      name: 'h_seconds',
      help: 'help text',
      labelNames: ['route', 'status_code'],
      buckets: BUCKETS,
      registers: [theirs],
    })
    const series = [
      { route: '/a', status_code: 200 },
      { route: '/b "quoted"\\', status_code: 404 },
    ]
    const observers = series.map((labels) => histogram.series(labels))
    // Edges included: a value equal to a bound falls in that bound's bucket.
    const values = [0, 0.0005, 0.001, 0.002, 0.01, 0.05, 0.1, 0.5, 1, 2, 30]
    values.forEach((v, i) => {
      const which = i % 2
      observers[which]?.(v)
      reference.observe(series[which] ?? {}, v)
    })
    expect(await ours.metrics()).toBe(await theirs.metrics())
    // The JSON form (used to aggregate workers) matches too, but for exemplars, which the
    // hot-path histogram does not keep.
    const withoutExemplars = JSON.parse(
      JSON.stringify(await theirs.getMetricsAsJSON(), (key, v: unknown) =>
        key === 'exemplar' ? undefined : v,
      ),
    ) as unknown
    expect(await ours.getMetricsAsJSON()).toEqual(withoutExemplars)
  })
})
