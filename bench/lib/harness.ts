import type { ChildProcess } from 'node:child_process'
import type { LoadResult, LoadOptions } from './load.js'

export interface Server {
  name: string
  url: string
  child: ChildProcess
  /** ms from spawn to the first answered request. */
  startup: number
}

export interface GatehouseOptions {
  /** Cores to pin to; null: every core. */
  cores: string | null
  logLevel?: string
  database?: string
  args?: string[]
  env?: Record<string, string>
}

export interface Row {
  scenario: string
  server: string
  result: LoadResult
  cpuMicros: number
  note?: string
}

/** What the runner lends each scenario: its servers, its load and its table. */
export interface Harness {
  quick: boolean
  duration: number
  warmup: number
  rounds: number
  /** A scratch directory, removed after the run. */
  work: string
  flood: { connections: number; pipelining: number }
  startGatehouse(name: string, options: GatehouseOptions): Promise<Server & { database: string }>
  startPeer(name: string, env?: Record<string, string>): Promise<Server>
  login(
    url: string,
    username?: string,
    password?: string,
  ): Promise<{ access_token: string; refresh_token: string }>
  /** A load run with the server's CPU time per request over the same run. */
  measured(
    server: Server,
    run: LoadOptions | (() => Promise<LoadResult>),
  ): Promise<{ result: LoadResult; cpuMicros: number }>
  addRow(row: Row): void
  addTarget(target: string, measured: string, met: boolean): void
  log(line: string): void
}
