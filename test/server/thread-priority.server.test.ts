import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { BACKGROUND_NICENESS } from '../../src/cli/thread-priority.js'
import { startServer, tempDir } from '../helpers/cli.js'

const tmp = tempDir()
afterAll(() => tmp.remove())

/** Niceness of each thread of a process, by thread id (Linux /proc, field 19 of stat). */
function niceness(pid: number): Map<number, number> {
  const threads = new Map<number, number>()
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    threads.set(Number(task), Number(fields[16]))
  }
  return threads
}

it.skipIf(process.platform !== 'linux')(
  'serve leaves the event loop at normal priority and lowers every other thread, hashing included',
  async () => {
    const server = await startServer(['--demo', '--database', join(tmp.dir, 'nice.db')])
    try {
      // A login runs argon2 on the thread pool, which must exist by now and stay lowered.
      const login = await fetch(`${server.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'user1', password: 'password1' }),
      })
      expect(login.status).toBe(200)
      const pid = server.child.pid as number
      const threads = niceness(pid)
      expect(threads.get(pid)).toBe(0)
      const others = [...threads].filter(([tid]) => tid !== pid).map(([, nice]) => nice)
      // Node's own threads: V8's platform workers and libuv's pool (4 by default).
      expect(others.length).toBeGreaterThanOrEqual(4)
      expect(new Set(others)).toEqual(new Set([BACKGROUND_NICENESS]))
    } finally {
      await server.stop()
    }
  },
)
