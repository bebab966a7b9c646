import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cleanEnv, startServer, tempDir } from '../helpers/cli.js'

const tmp = tempDir()
afterAll(() => tmp.remove())

/** `count` requests, `parallel` at a time: enough that lines queue behind a write. */
async function flood(url: string, count: number, parallel = 50): Promise<void> {
  let next = 0
  const lane = async () => {
    while (next < count) {
      next++
      const res = await fetch(`${url}/protected`)
      await res.arrayBuffer()
    }
  }
  await Promise.all(Array.from({ length: parallel }, lane))
}

const completed = (logs: Record<string, unknown>[]) =>
  logs.filter((line) => line['msg'] === 'request completed')

describe('request log delivery (asynchronous, batched)', () => {
  it('writes one line per request at info, and a shutdown loses none of them', async () => {
    const server = await startServer(['--demo', '--database', join(tmp.dir, 'one.db')], {
      env: cleanEnv({ GATEHOUSE_LOG_LEVEL: 'info' }),
    })
    await flood(server.url, 3_000)
    // Stop at once: whatever is still buffered must be written on the way out.
    expect(await server.stop()).toBe(0)
    const lines = completed(server.logs)
    expect(lines).toHaveLength(3_000)
    expect(new Set(lines.map((line) => line['reqId'])).size).toBe(3_000)
    expect(lines[0]).toMatchObject({
      req: { method: 'GET', url: '/protected' },
      res: { statusCode: 401 },
    })
    expect(typeof lines[0]?.['responseTime']).toBe('number')
    expect(server.logs.some((line) => line['msg'] === 'incoming request')).toBe(false)
  })

  it('keeps the lines of two workers whole on their shared stdout', async () => {
    const server = await startServer(
      ['--demo', '--workers', '2', '--database', join(tmp.dir, 'two.db')],
      { env: cleanEnv({ GATEHOUSE_LOG_LEVEL: 'info' }), listening: 2 },
    )
    await flood(server.url, 4_000, 100)
    expect(await server.stop()).toBe(0)
    // The helper parses every line as JSON: a line split by the other worker would have
    // failed there, and would be missing here.
    const lines = completed(server.logs)
    expect(lines).toHaveLength(4_000)
    expect(new Set(lines.map((line) => line['pid'])).size).toBe(2)
  })

  it('an uncaught exception is logged at fatal after every line before it, then exit 1', async () => {
    const logger = new URL('../../dist/http/logger.js', import.meta.url).href
    const script = `
      import pino from 'pino'
      import { asyncStdout, exitOnUncaughtException } from '${logger}'
      const log = pino({ level: 'info' }, asyncStdout())
      exitOnUncaughtException(log)
      for (let i = 0; i < 20000; i++) log.info({ i }, 'line')
      setImmediate(() => { throw new Error('boom') })
    `
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url).pathname,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    const code = await new Promise((resolve) => child.on('exit', resolve))
    const lines = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(code).toBe(1)
    expect(lines.filter((line) => line['msg'] === 'line')).toHaveLength(20_000)
    expect(lines.at(-1)).toMatchObject({
      level: 60,
      msg: 'uncaught exception; exiting',
      err: { message: 'boom' },
    })
  })
})
