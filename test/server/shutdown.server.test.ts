import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cleanEnv, startServer, tempDir } from '../helpers/cli.js'

const tmp = tempDir()
afterAll(() => tmp.remove())

const post = (url: string, path: string, body: object, token?: string) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  })

describe('shutdown', () => {
  it('SIGTERM lets in-flight requests finish, then exits 0', async () => {
    // At debug, Fastify logs each request as it arrives.
    const server = await startServer(['--demo', '--database', join(tmp.dir, 'graceful.db')], {
      env: cleanEnv({ GATEHOUSE_LOG_LEVEL: 'debug' }),
    })
    const inFlight = Array.from({ length: 8 }, () =>
      post(server.url, '/login', { username: 'user1', password: 'password1' }),
    )
    // Wait until the server has accepted all of them, then ask it to stop.
    for (
      let i = 0;
      i < 200 && server.logs.filter((l) => l['msg'] === 'incoming request').length < 8;
      i++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const exit = server.stop()
    const responses = await Promise.all(inFlight)
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200))
    expect(await exit).toBe(0)
  })

  it('kill -9 during registrations loses no acknowledged user and leaves no half-created one', async () => {
    const database = join(tmp.dir, 'crash.db')
    // Registrations far past the per-IP limit are the point here.
    const env = cleanEnv({ GATEHOUSE_IP_LIMIT_PER_MINUTE: '0' })
    const first = await startServer(['--database', database], { env })
    const acknowledged: string[] = []
    const attempted: string[] = []
    let crashed = false
    const writer = async (lane: number) => {
      for (let i = 0; !crashed; i++) {
        const username = `crash${lane}x${i}`
        attempted.push(username)
        try {
          const res = await post(first.url, '/register', {
            username,
            password: `passphrase of ${username}`,
          })
          if (res.status === 201) acknowledged.push(username)
        } catch {
          return // the server is gone
        }
      }
    }
    const lanes = [0, 1, 2, 3].map(writer)
    // Kill once some registrations were acknowledged, however busy the machine is (argon2
    // makes each take a while), with more of them in flight.
    for (let waited = 0; acknowledged.length <= 5 && waited < 20_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    first.child.kill('SIGKILL')
    crashed = true
    await Promise.all(lanes)
    expect(acknowledged.length).toBeGreaterThan(5)

    const second = await startServer(['--database', database], { env })
    try {
      for (const username of acknowledged) {
        const res = await post(second.url, '/login', {
          username,
          password: `passphrase of ${username}`,
        })
        expect(res.status, username).toBe(200)
      }
      // Whatever else was in flight either exists whole (it logs in) or not at all.
      for (const username of attempted.filter((u) => !acknowledged.includes(u))) {
        const login = await post(second.url, '/login', {
          username,
          password: `passphrase of ${username}`,
        })
        const retry = await post(second.url, '/register', {
          username,
          password: `passphrase of ${username}`,
        })
        expect([login.status, retry.status].sort(), username).toEqual(
          login.status === 200 ? [200, 400] : [201, 401],
        )
      }
    } finally {
      await second.stop()
    }
  })
})
