import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { availableParallelism, cpus } from 'node:os'
import { createInterface } from 'node:readline'

/** `taskset`, when this machine has it and more than one core; otherwise no pinning. */
export const canPin: boolean = (() => {
  // The runner re-runs itself pinned to one core, where it sees only that core.
  if (process.env['BENCH_PINNED'] === '1') return true
  if (availableParallelism() < 2) return false
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

/** The server's core and the load generator's, when pinning is possible. */
export const SERVER_CORES = '0'
export const CLIENT_CORES = '1'

/** Every core of the machine, for processes that may use them all. */
export const ALL_CORES = `0-${cpus().length - 1}`

/**
 * Spawns `node args…`, pinned to `cores` when possible. null means every core: said
 * explicitly, since a child would otherwise inherit this (pinned) process's one core.
 */
export function spawnNode(
  args: string[],
  options: { cores: string | null; env?: Record<string, string>; stdout?: 'pipe' | 'ignore' },
): ChildProcess {
  const env = { ...process.env, ...options.env }
  const cores = options.cores ?? ALL_CORES
  return spawn(
    canPin ? 'taskset' : process.execPath,
    canPin ? ['-c', cores, process.execPath, ...args] : args,
    { env, stdio: ['ignore', options.stdout ?? 'pipe', 'inherit'] },
  )
}

/** The first line a child prints, parsed as JSON (peers and probes report this way). */
export function firstJsonLine<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    if (!child.stdout) return reject(new Error('no stdout'))
    const lines = createInterface({ input: child.stdout })
    lines.once('line', (line) => resolve(JSON.parse(line) as T))
    child.once('exit', (code) => reject(new Error(`exited with ${code} before reporting`)))
  })
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
  } catch {
    return 100
  }
})()

/**
 * CPU seconds (user + system) a process and its children (the workers of `--workers N`)
 * have used, from /proc; NaN where there is none.
 */
export function cpuSeconds(pid: number | undefined): number {
  return ownCpuSeconds(pid) + childrenOf(pid).reduce((sum, child) => sum + cpuSeconds(child), 0)
}

function childrenOf(pid: number | undefined): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter((id) => id.trim() !== '')
      .map(Number)
  } catch {
    return []
  }
}

function ownCpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return Number.NaN
  }
}

/** Resident memory of a process in bytes, from /proc; NaN where there is none. */
export function rssBytes(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1]
    return kb === undefined ? Number.NaN : Number(kb) * 1024
  } catch {
    return Number.NaN
  }
}
