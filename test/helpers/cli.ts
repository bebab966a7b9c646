import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** The built CLI, exactly what `npm start` and the `gatehouse` bin run. */
export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url))

/** Environment without any GATEHOUSE_* or DATABASE_URL from the developer's shell. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (
      value === undefined ||
      key.startsWith('GATEHOUSE_') ||
      key === 'DATABASE_URL' ||
      key === 'NODE_ENV'
    )
      continue
    env[key] = value
  }
  return { ...env, ...extra }
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a CLI command to completion, optionally feeding stdin. */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; stdin?: string; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: options.env ?? cleanEnv(),
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(options.stdin ?? '')
  })
}

export interface RunningServer {
  url: string
  child: ChildProcess
  /** Every log line so far, parsed. */
  logs: Record<string, unknown>[]
  /** SIGTERM, then resolves with the exit code. */
  stop(): Promise<number | null>
}

/** Starts `gatehouse serve` on a free port and resolves once it listens. */
export function startServer(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; listening?: number } = {},
): Promise<RunningServer> {
  let listening = 0
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
      env: options.env ?? cleanEnv(),
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const logs: Record<string, unknown>[] = []
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server did not start in time; stderr: ${stderr}`))
    }, 15_000)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}: ${stderr}`))
    })
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>
      logs.push(entry)
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(String(entry['msg']))
      // With --workers, wait until each of them listens.
      if (match?.[1] && ++listening === (options.listening ?? 1)) {
        clearTimeout(timer)
        resolve({
          url: match[1],
          child,
          logs,
          stop: () => {
            child.kill('SIGTERM')
            return exited
          },
        })
      }
    })
  })
}
