import { describe, expect, it } from 'vitest'
import { DEFAULT_LOCKOUT_POLICY } from '../../src/cluster/limiter.js'
import { createPrimaryAnswerer, primaryCaller, type WorkerPort } from '../../src/cluster/ipc.js'

type Listener = (message: unknown) => void

/** A worker's port wired to an in-process primary, as node:cluster's IPC would carry it. */
function portTo(answer: (request: unknown) => Promise<unknown>, delayMs = 0): WorkerPort {
  const listeners: Listener[] = []
  const deliver = (message: unknown) =>
    setTimeout(() => listeners.forEach((l) => l(message)), delayMs)
  return {
    on: (_event, listener) => listeners.push(listener),
    send: (raw) => {
      const message = raw as { id: string; request: unknown }
      answer(message.request).then(
        (value) => deliver({ gatehouse: 'result', id: message.id, value }),
        (error: unknown) => deliver({ gatehouse: 'result', id: message.id, error: String(error) }),
      )
    },
  }
}

describe('calls from a worker to the primary', () => {
  const answerer = () => createPrimaryAnswerer({ ...DEFAULT_LOCKOUT_POLICY, threshold: 5 })

  it('answers the counters through the primary', async () => {
    const { call } = primaryCaller('test', undefined, portTo(answerer()))
    const first = await call<{ allowed: boolean }>({ op: 'hit', args: ['ip:1', 2, 60, 0] })
    const second = await call<{ allowed: boolean }>({ op: 'hit', args: ['ip:1', 2, 60, 0] })
    const third = await call<{ allowed: boolean }>({ op: 'hit', args: ['ip:1', 2, 60, 0] })
    expect([first, second, third].map((r) => r.allowed)).toEqual([true, true, false])
  })

  it('refuses an operation it does not know instead of leaving the caller waiting', async () => {
    const { call } = primaryCaller('test', undefined, portTo(answerer()))
    await expect(call({ op: 'drop-tables' } as never)).rejects.toThrow(
      'unknown operation "drop-tables"',
    )
  })

  it('gives up on a primary that does not answer, and ignores its late answer', async () => {
    const silent: WorkerPort = { on: () => undefined, send: () => undefined }
    const { call } = primaryCaller('test', undefined, silent, 30)
    await expect(call({ op: 'metrics' })).rejects.toThrow(
      'the primary did not answer metrics within 30 ms',
    )
    const late = primaryCaller('test', undefined, portTo(answerer(), 80), 30)
    await expect(late.call({ op: 'hit', args: ['ip:2', 1, 60, 0] })).rejects.toThrow(/within 30 ms/)
    await new Promise((resolve) => setTimeout(resolve, 120))
  })
})
