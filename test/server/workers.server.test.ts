import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, tempDir, type RunningServer } from '../helpers/cli.js'

const tmp = tempDir()
let server: RunningServer

beforeAll(async () => {
  server = await startServer(
    ['--demo', '--workers', '2', '--database', join(tmp.dir, 'workers.db')],
    {
      listening: 2,
    },
  )
})
afterAll(() => tmp.remove())

/** A request on a connection of its own, so node:cluster may hand it to any worker. */
function call(method: string, path: string, options: { body?: object; token?: string } = {}) {
  return new Promise<{
    status: number
    headers: Record<string, unknown>
    body: Record<string, unknown>
  }>((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
    const req = request(
      `${server.url}${path}`,
      {
        method,
        agent: false,
        headers: {
          ...(payload !== undefined && { 'content-type': 'application/json' }),
          ...(options.token !== undefined && { authorization: `Bearer ${options.token}` }),
        },
      },
      (res) => {
        let text = ''
        res.on('data', (chunk: Buffer) => (text += chunk.toString()))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
          }),
        )
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

const servingPids = () =>
  new Set(server.logs.filter((l) => l['msg'] === 'request completed').map((l) => l['pid']))

describe('gatehouse serve --workers 2', () => {
  it('spreads requests over both workers', async () => {
    for (let i = 0; i < 12; i++) expect((await call('GET', '/healthz')).status).toBe(200)
    expect(servingPids().size).toBe(2)
  })

  it('a logout in one worker is refused by every worker', async () => {
    const login = await call('POST', '/login', {
      body: { username: 'user1', password: 'password1' },
    })
    const token = login.body['access_token'] as string
    expect((await call('POST', '/logout', { token })).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 100))
    for (let i = 0; i < 8; i++) {
      const res = await call('GET', '/protected', { token })
      expect(res.body).toMatchObject({ error: 'token_revoked' })
    }
  })

  it('shares the login lockout across workers', async () => {
    for (let i = 0; i < 5; i++) {
      expect(
        (await call('POST', '/login', { body: { username: 'user2', password: 'wrong-pass' } }))
          .status,
      ).toBe(401)
    }
    for (let i = 0; i < 4; i++) {
      const res = await call('POST', '/login', {
        body: { username: 'user2', password: 'password2' },
      })
      expect(res.status).toBe(429)
    }
  })

  it('answers /metrics for every worker together, whichever worker a scrape reaches', async () => {
    const healthz = (text: string) =>
      Number(
        /^gatehouse_http_request_duration_seconds_count\{[^}]*route="\/healthz"[^}]*status_code="200"[^}]*\} (\d+)$/m.exec(
          text,
        )?.[1] ?? 0,
      )
    const scrape = async () => {
      const res = await fetch(`${server.url}/metrics`, {
        headers: { connection: 'close' },
      })
      expect(res.status).toBe(200)
      return res.text()
    }
    const before = healthz(await scrape())
    for (let i = 0; i < 20; i++) expect((await call('GET', '/healthz')).status).toBe(200)
    expect(servingPids().size).toBe(2)
    // Scrapes land on either worker; each one counts the requests of both.
    const counts = [] as number[]
    for (let i = 0; i < 6; i++) counts.push(healthz(await scrape()))
    expect(new Set(counts)).toEqual(new Set([before + 20]))
  })

  it('stops every worker and exits 0 on SIGTERM', async () => {
    expect(await server.stop()).toBe(0)
  })
})
