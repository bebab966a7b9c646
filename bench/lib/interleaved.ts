import { load, type LoadResult } from './load.js'
import type { Harness, Server } from './harness.js'

export const median = <T>(items: T[], by: (item: T) => number): T => {
  const sorted = [...items].sort((a, b) => by(a) - by(b))
  return sorted[Math.floor((sorted.length - 1) / 2)] as T
}

/** Floods each server in turn, `rounds` times interleaved; one row each with the median. */
export async function interleaved(
  h: Harness,
  scenario: string,
  servers: { server: Server; token: string | null }[],
): Promise<Map<string, LoadResult>> {
  const runs = new Map<string, { result: LoadResult; cpuMicros: number }[]>()
  for (let round = 0; round < h.rounds; round++) {
    for (const { server, token } of servers) {
      const options = {
        url: `${server.url}/protected`,
        ...h.flood,
        headers: token === null ? {} : { authorization: `Bearer ${token}` },
      }
      await load({ ...options, duration: h.warmup })
      const run = await h.measured(server, { ...options, duration: h.duration })
      runs.set(server.name, [...(runs.get(server.name) ?? []), run])
      h.log(`  ${server.name}: ${Math.round(run.result.requestsPerSecond)} req/s`)
    }
  }
  const results = new Map<string, LoadResult>()
  for (const { server } of servers) {
    const run = median(runs.get(server.name) ?? [], (r) => r.result.requestsPerSecond)
    h.addRow({ scenario, server: server.name, ...run })
    results.set(server.name, run.result)
  }
  return results
}
