/**
 * Issue 11, points 1 and 8: slow clients are cut off, connections are capped, and errors
 * raised by the HTTP parser come in the `{msg, error}` shape.
 */
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanEnv, startServer, tempDir, type RunningServer } from '../helpers/cli.js'

const tmp = tempDir()
let server: RunningServer
let port: number

beforeAll(async () => {
  server = await startServer(['--database', join(tmp.dir, 'slow.db')], {
    env: cleanEnv({ GATEHOUSE_REQUEST_TIMEOUT: '1', GATEHOUSE_MAX_CONNECTIONS: '20' }),
  })
  port = Number(new URL(server.url).port)
})
afterAll(async () => {
  await server?.stop()
  tmp.remove()
})

interface Exchange {
  /** Everything the server sent before it closed the connection. */
  received: string
  socket: Socket
}

/** Opens a raw connection, writes `first`, and collects the answer until the server closes. */
function open(first = ''): { socket: Socket; closed: Promise<Exchange> } {
  const socket = connect({ host: '127.0.0.1', port })
  let received = ''
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()))
  socket.on('error', () => undefined)
  const closed = new Promise<Exchange>((resolve) =>
    socket.on('close', () => resolve({ received, socket })),
  )
  if (first) socket.write(first)
  return { socket, closed }
}

function bodyOf(response: string): Record<string, unknown> {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>
}

describe('slow clients', () => {
  it('cuts off a body that trickles in, with a 408 in our error shape', async () => {
    const { socket, closed } = open(
      'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    )
    const trickle = setInterval(() => socket.writable && socket.write(' '), 200)
    const { received } = await closed
    clearInterval(trickle)
    expect(received).toMatch(/^HTTP\/1\.1 408 /)
    expect(received).toMatch(/x-content-type-options: nosniff/i)
    expect(bodyOf(received)).toEqual({
      msg: 'The request took too long to arrive; the connection is closed',
      error: 'request_timeout',
    })
  })

  it('cuts off headers that never end', async () => {
    const { socket, closed } = open('GET /protected HTTP/1.1\r\nHost: x\r\n')
    const trickle = setInterval(() => socket.writable && socket.write('X-A: b\r\n'), 200)
    const { received } = await closed
    clearInterval(trickle)
    expect(bodyOf(received)).toMatchObject({ error: 'request_timeout' })
  })

  it('caps open connections and answers again once idle ones are cut off', async () => {
    const idle = Array.from({ length: 30 }, () => open())
    const closedAll = Promise.all(idle.map((connection) => connection.closed))
    const { socket } = idle[0] ?? open()
    await new Promise((resolve) => socket.once('connect', resolve))
    const results = await closedAll
    // Beyond the cap the server closed connections without a word; the rest were cut off
    // by the request timeout. Either way none of them is still held open.
    expect(results.filter((r) => r.received === '').length).toBeGreaterThanOrEqual(10)
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
  })
})

describe('errors from the HTTP parser', () => {
  it('answers a duplicate Content-Length and oversized headers in the {msg, error} shape', async () => {
    const duplicate = await open(
      'POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}',
    ).closed
    expect(duplicate.received).toMatch(/^HTTP\/1\.1 400 /)
    expect(bodyOf(duplicate.received)).toEqual({
      msg: 'Malformed HTTP request',
      error: 'invalid_request',
    })

    const huge = await open(
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    ).closed
    expect(huge.received).toMatch(/^HTTP\/1\.1 431 /)
    expect(bodyOf(huge.received)).toMatchObject({ error: 'headers_too_large' })
  })
})
