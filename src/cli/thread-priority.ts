import { access } from 'node:fs/promises'
import { readdirSync } from 'node:fs'
import { setPriority } from 'node:os'

/** Niceness of every thread but the event loop's (0 is the default, 19 the lowest). */
export const BACKGROUND_NICENESS = 10

/**
 * Lets the event loop win the CPU over password hashing. argon2 runs on libuv's thread pool;
 * during a login storm those threads keep every core busy and requests that need only a
 * cached token check wait for a time slice. On Linux, niceness is per thread, so lowering
 * it for every thread except the main one (libuv's pool, V8's background compiler and GC
 * helpers) keeps hashing throughput when the CPU is otherwise idle and hands the event
 * loop a core the moment it has work. Elsewhere this does nothing.
 */
export async function lowerBackgroundThreadPriority(): Promise<number> {
  if (process.platform !== 'linux') return 0
  // The pool starts its threads on first use: make sure they exist before renicing.
  await access('.').catch(() => undefined)
  let lowered = 0
  for (const task of readdirSync('/proc/self/task')) {
    const tid = Number(task)
    if (tid === process.pid) continue
    try {
      setPriority(tid, BACKGROUND_NICENESS)
      lowered++
    } catch {
      // A thread that just exited, or a platform that refuses: leave it.
    }
  }
  return lowered
}
