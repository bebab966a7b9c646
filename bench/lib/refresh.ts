import { Agent, request } from 'node:http'
import { percentiles } from './percentiles.js'

export interface ChainResult {
  requestsPerSecond: number
  p50: number
  p99: number
  failures: number
}

/**
 * Refresh-token rotation as clients do it: each chain sends its refresh token and uses
 * the new one from the answer for the next request, for `seconds`.
 */
export async function refreshChains(
  baseUrl: string,
  refreshTokens: string[],
  seconds: number,
): Promise<ChainResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: refreshTokens.length })
  const url = new URL('/refresh', baseUrl)
  const latencies: number[] = []
  let failures = 0
  const end = performance.now() + seconds * 1000
  const started = performance.now()

  async function chain(token: string): Promise<void> {
    let current = token
    while (performance.now() < end) {
      const sent = performance.now()
      const answer = await post(agent, url, JSON.stringify({ refresh_token: current }))
      latencies.push(performance.now() - sent)
      if (answer.status !== 200) {
        failures++
        return
      }
      current = (JSON.parse(answer.body) as { refresh_token: string }).refresh_token
    }
  }
  await Promise.all(refreshTokens.map(chain))
  const elapsed = (performance.now() - started) / 1000
  agent.destroy()
  return { requestsPerSecond: latencies.length / elapsed, ...percentiles(latencies), failures }
}

function post(agent: Agent, url: URL, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let data = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (data += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}
