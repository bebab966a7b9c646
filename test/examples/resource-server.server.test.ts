import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildResourceServer } from '../../examples/resource-server/app.js'
import { startServer, tempDir, type RunningServer } from '../helpers/cli.js'

const tmp = tempDir()
let gatehouse: RunningServer
let service: FastifyInstance
let serviceUrl: string

beforeAll(async () => {
  gatehouse = await startServer([
    '--demo',
    '--database',
    join(tmp.dir, 'rs.db'),
    '--issuer',
    'http://gatehouse.test',
  ])
  service = await buildResourceServer({
    gatehouseUrl: gatehouse.url,
    issuer: 'http://gatehouse.test',
  })
  serviceUrl = await service.listen({ host: '127.0.0.1', port: 0 })
})
afterAll(async () => {
  await service?.close()
  await gatehouse?.stop()
  tmp.remove()
})

async function login(username: string, password: string): Promise<string> {
  const res = await fetch(`${gatehouse.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  return ((await res.json()) as { access_token: string }).access_token
}

const get = async (path: string, token?: string, method = 'GET') => {
  const res = await fetch(`${serviceUrl}${path}`, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  })
  return { status: res.status, body: (await res.json()) as unknown }
}

describe('examples/resource-server', () => {
  it('serves users with Gatehouse tokens and refuses everyone else in Gatehouse’s shape', async () => {
    const user = await login('user1', 'password1')
    expect(await get('/hello')).toEqual({ status: 200, body: { hello: 'stranger' } })
    expect(await get('/hello', user)).toEqual({ status: 200, body: { hello: 'user1' } })
    expect(await get('/reports', user)).toEqual({
      status: 200,
      body: { reports: ['q1', 'q2'], for: 'user1' },
    })
    expect(await get('/reports')).toMatchObject({ status: 401, body: { error: 'missing_token' } })
    expect(await get('/reports/q1', user, 'DELETE')).toMatchObject({
      status: 403,
      body: { error: 'insufficient_scope' },
    })
    const admin = await login('admin', 'adminpass')
    expect(await get('/reports/q1', admin, 'DELETE')).toEqual({
      status: 200,
      body: { deleted: 'q1', by: 'admin' },
    })
  })
})
