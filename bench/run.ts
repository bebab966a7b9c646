/**
 * `npm run bench`: starts Gatehouse and its peers, loads them from another core and prints
 * one table (see docs/performance.md). `--quick` runs shorter; `--only hot,misses,…`
 * picks scenarios. Speed is measured here, never asserted in tests.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { load, type LoadResult } from './lib/load.js'
import { rawLoad } from './lib/raw-load.js'
import {
  canPin,
  CLIENT_CORES,
  cpuSeconds,
  firstJsonLine,
  freePort,
  rssBytes,
  SERVER_CORES,
  spawnNode,
  stop,
} from './lib/processes.js'
import { createPeerKeys, mintGatehouseTokens, type PeerKeys } from './lib/tokens.js'
import type { GatehouseOptions, Harness, Row, Server } from './lib/harness.js'
import { codeFlow, mailQueue, totpScenarios } from './scenarios/flows.js'
import { interleaved } from './lib/interleaved.js'
import { guardInApp, measureRefresh, refreshOnPostgres, workers } from './scenarios/services.js'

const SCENARIOS = [
  'hot',
  'misses',
  'guard',
  'login',
  'totp',
  'refresh',
  'postgres',
  'storm',
  'flows',
  'mail',
  'workers',
  'memory',
] as const
type Scenario = (typeof SCENARIOS)[number]

const { values: flags } = parseArgs({
  options: { quick: { type: 'boolean' }, only: { type: 'string' } },
})
const quick = flags.quick ?? false
const only = new Set<string>(flags.only?.split(',') ?? SCENARIOS)
const DURATION = quick ? 4 : 8
const WARMUP = quick ? 1 : 2
const ROUNDS = quick ? 1 : 3
const MISS_TOKENS = quick ? 30_000 : 100_000
const MEMORY_REQUESTS = quick ? 200_000 : 1_000_000
const MEMORY_POOL = quick ? 20_000 : 100_000
/** Enough in flight to keep one server core busy without measuring the client instead. */
const FLOOD = { connections: 50, pipelining: 10 }

// The load generator runs on its own core: re-run this script pinned there.
if (canPin && process.env['BENCH_PINNED'] !== '1') {
  const pinned = spawnSync(
    'taskset',
    ['-c', CLIENT_CORES, process.execPath, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, BENCH_PINNED: '1' } },
  )
  process.exit(pinned.status ?? 1)
}

const ROOT = new URL('../../', import.meta.url).pathname
const CLI = join(ROOT, 'dist/cli/main.js')
const PEERS = join(ROOT, 'dist-bench/bench/peers')
const PROBES = join(ROOT, 'dist-bench/bench/probes')
const work = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'))

const rows: Row[] = []
const targets: { target: string; measured: string; met: boolean }[] = []
const log = (line: string) => process.stderr.write(`${line}\n`)

async function startPeer(name: string, env: Record<string, string>): Promise<Server> {
  const started = performance.now()
  const child = spawnNode([join(PEERS, `${name}.js`)], {
    cores: SERVER_CORES,
    env: { ...env, BENCH_PORT: '0' },
  })
  const { port } = await firstJsonLine<{ port: number }>(child)
  return { name, url: `http://127.0.0.1:${port}`, child, startup: performance.now() - started }
}

/** `gatehouse serve --demo`; by default in the default configuration (info logs, metrics). */
async function startGatehouse(
  name: string,
  options: GatehouseOptions = { cores: null },
): Promise<Server & { database: string }> {
  const database = options.database ?? join(work, `${name.replace(/[^a-z0-9]+/gi, '-')}.db`)
  const port = await freePort()
  const started = performance.now()
  const child = spawnNode(
    [
      // e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof" profiles every Gatehouse run.
      ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      CLI,
      'serve',
      '--demo',
      '--database',
      database,
      '--port',
      String(port),
      ...(options.args ?? []),
    ],
    {
      cores: options.cores,
      env: {
        GATEHOUSE_LOG_LEVEL: options.logLevel ?? 'info',
        ...options.env,
        // The benchmark logs in far more often than any person would.
        GATEHOUSE_IP_LIMIT_PER_MINUTE: '0',
        GATEHOUSE_ISSUER: `http://127.0.0.1:${port}`,
      },
      // Logs go to /dev/null: a pipe read by this process would load the client's core.
      stdout: 'ignore',
    },
  )
  const url = `http://127.0.0.1:${port}`
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`)
    const ok = await fetch(`${url}/healthz`).then(
      (res) => res.ok,
      () => false,
    )
    if (ok) break
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return { name, url, child, startup: performance.now() - started, database }
}

async function login(url: string, username = 'user1', password = 'password1') {
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (!res.ok) throw new Error(`login failed: ${res.status}`)
  return (await res.json()) as { access_token: string; refresh_token: string }
}

/** A load run, with the server's CPU time per request over the same run. */
async function measured(
  server: Server,
  run: Parameters<typeof load>[0] | (() => Promise<LoadResult>),
) {
  const before = cpuSeconds(server.child.pid)
  const result = await (typeof run === 'function' ? run() : load(run))
  const cpu = cpuSeconds(server.child.pid) - before
  return { result, cpuMicros: (cpu * 1e6) / Math.max(1, result.requests) }
}

async function probe(script: string, args: string[], cores: string | null) {
  const child = spawnNode([join(PROBES, script), ...args], { cores })
  return (await firstJsonLine<{ perSecond: number }>(child)).perSecond
}

/** A row for what a probe alone reaches: the ceiling a scenario is compared with. */
function ceilingOf(scenario: string, perSecond: number, cpuMicros: number): Row {
  const result = {
    requestsPerSecond: perSecond,
    p50: 0,
    p99: 0,
    requests: 0,
    seconds: 0,
    failures: 0,
  }
  return { scenario, server: 'ceiling', result, cpuMicros }
}

// ---------------------------------------------------------------------------------------

async function hotToken(keys: PeerKeys): Promise<void> {
  log('hot token: Gatehouse and the peers, one token repeated')
  const ours: { server: Server; token: string | null }[] = []
  // The default configuration first: the table's ratios are computed against it.
  for (const [name, logLevel] of [
    ['gatehouse (default: info logs, metrics)', 'info'],
    ['gatehouse, request logs off (warn)', 'warn'],
  ] as const) {
    const server = await startGatehouse(name, { cores: SERVER_CORES, logLevel })
    ours.push({ server, token: (await login(server.url)).access_token })
  }
  // Servers without auth get Gatehouse's token too, unread: every server receives the
  // same request bytes, so the difference is what each does with them.
  const unread = ours[0]?.token ?? null
  const servers: { server: Server; token: string | null }[] = []
  for (const [name, kind] of [
    ['bare-node', null],
    ['fastify', null],
    ['fastify-jwt', 'hs256'],
    ['fastify-jose', 'ed25519'],
    ['express-passport', 'hs256'],
  ] as const) {
    const token = kind === null ? unread : ((await keys[kind](1))[0] ?? null)
    servers.push({ server: await startPeer(name, keys.env), token })
  }
  servers.push(...ours)
  const results = await interleaved(harness, '/protected, one hot token', servers)
  for (const { server } of servers) await stop(server.child)
  const rate = (name: string) => results.get(name)?.requestsPerSecond ?? Number.NaN
  const standard = rate('gatehouse (default: info logs, metrics)')
  const ratio = standard / rate('bare-node')
  const quiet = rate('gatehouse, request logs off (warn)') / rate('bare-node')
  const peer = standard / rate('fastify-jwt')
  targets.push(
    {
      target: '/protected hot token, default configuration ≥ 0.85× bare node:http',
      measured: `${ratio.toFixed(2)}× (request logs off: ${quiet.toFixed(2)}×)`,
      met: ratio >= 0.85,
    },
    {
      target: '/protected hot token, default configuration ≥ 1.5× Fastify + @fastify/jwt',
      measured: `${peer.toFixed(2)}×`,
      met: peer >= 1.5,
    },
  )
}

async function cacheMisses(keys: PeerKeys): Promise<void> {
  log('distinct tokens: every request a token the server has not verified before')
  // The loop runs right before and right after the server's run, and the ratio takes their
  // mean: this core's speed drifts by a third within minutes on a shared machine.
  const before = await probe('ed25519.js', ['3'], SERVER_CORES)
  const ceilingRow = rows.length
  const gatehouse = await startGatehouse('gatehouse-misses', { cores: SERVER_CORES })
  const template = (await login(gatehouse.url)).access_token
  const ours = await mintGatehouseTokens(gatehouse.database, template, MISS_TOKENS + 5_000)
  const jose = await startPeer('fastify-jose', keys.env)
  const theirs = await keys.ed25519(MISS_TOKENS + 5_000)
  for (const [server, tokens] of [
    [gatehouse, ours],
    [jose, theirs],
  ] as const) {
    const url = `${server.url}/protected`
    // Warm up on tokens the measured run never uses, then each token exactly once.
    await rawLoad({ url, ...FLOOD, tokens: tokens.slice(0, 5_000) })
    const run = await measured(server, () =>
      rawLoad({ url, ...FLOOD, tokens: tokens.slice(5_000) }),
    )
    rows.push({
      scenario: '/protected, each token new (cache misses)',
      server: server.name,
      ...run,
    })
    log(`  ${server.name}: ${Math.round(run.result.requestsPerSecond)} req/s`)
  }
  const after = await probe('ed25519.js', ['3'], SERVER_CORES)
  const ceiling = (before + after) / 2
  log(`  Ed25519 loop: ${Math.round(before)} and ${Math.round(after)} verifications/s`)
  rows.splice(
    ceilingRow,
    0,
    ceilingOf(
      'Ed25519 verification alone (node:crypto loop, one core, before and after)',
      ceiling,
      1e6 / ceiling,
    ),
  )
  // 10,000 users' tokens in turn: after the first pass, the verified-token cache answers.
  const users = ours.slice(0, 10_000)
  const url = `${gatehouse.url}/protected`
  await rawLoad({ url, ...FLOOD, tokens: users })
  const run = await measured(gatehouse, () =>
    rawLoad({ url, ...FLOOD, tokens: users, amount: users.length * 5 }),
  )
  rows.push({ scenario: '/protected, 10,000 tokens in turn', server: gatehouse.name, ...run })
  await stop(jose.child)
  await stop(gatehouse.child)
  const misses = rows.find(
    (r) => r.scenario.includes('cache misses') && r.server === 'gatehouse-misses',
  )
  const ratio = (misses?.result.requestsPerSecond ?? 0) / ceiling
  targets.push({
    target: '/protected distinct tokens ≥ 0.9× Ed25519 verification alone',
    measured: `${ratio.toFixed(2)}×`,
    met: ratio >= 0.9,
  })
}

async function logins(): Promise<void> {
  log('login: argon2id on every core, compared with the raw hash rate')
  const raw = await probe('argon2.js', ['5', '8'], null)
  rows.push(ceilingOf('argon2id verify alone (same parameters, all cores)', raw, Number.NaN))
  const server = await startGatehouse('gatehouse-login', { cores: null })
  const options = {
    url: `${server.url}/login`,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'user1', password: 'password1' }),
    connections: 16,
  }
  await load({ ...options, duration: WARMUP })
  const run = await measured(server, { ...options, duration: DURATION })
  rows.push({ scenario: 'POST /login (argon2id)', server: server.name, ...run })
  await stop(server.child)
  const ratio = run.result.requestsPerSecond / raw
  targets.push({
    target: '/login ≥ 0.9× raw argon2id rate',
    measured: `${ratio.toFixed(2)}×`,
    met: ratio >= 0.9,
  })
}

async function refreshes(): Promise<void> {
  log('refresh: 16 clients rotating their refresh tokens')
  const server = await startGatehouse('gatehouse-refresh', { cores: SERVER_CORES })
  await measureRefresh(harness, server, 'POST /refresh (rotation, SQLite)')
  await stop(server.child)
}

async function loginStorm(): Promise<void> {
  log('storm: /protected latency while logins saturate hashing')
  const server = await startGatehouse('gatehouse-storm', { cores: null })
  const token = (await login(server.url)).access_token
  const storm = load({
    url: `${server.url}/login`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'user2', password: 'password2' }),
    connections: 32,
    duration: DURATION + 2,
  })
  await new Promise((resolve) => setTimeout(resolve, 1_000))
  const reads = await load({
    url: `${server.url}/protected`,
    headers: { authorization: `Bearer ${token}` },
    connections: 10,
    overallRate: 1_000,
    duration: DURATION,
  })
  const stormed = await storm
  rows.push({
    scenario: '/protected at 1,000 req/s during a login storm',
    server: server.name,
    result: reads,
    cpuMicros: Number.NaN,
    note: `${Math.round(stormed.requestsPerSecond)} logins/s meanwhile`,
  })
  await stop(server.child)
  targets.push({
    target: '/protected p99 < 20 ms during a login storm',
    measured: `${reads.p99} ms`,
    met: reads.p99 < 20,
  })
}

async function memory(): Promise<void> {
  log('memory: start-up, idle RSS, and RSS over many requests with distinct tokens')
  const database = join(work, 'gatehouse-memory.db')
  const fresh = await startGatehouse('gatehouse-memory', { cores: SERVER_CORES, database })
  await stop(fresh.child)
  const server = await startGatehouse('gatehouse-memory', { cores: SERVER_CORES, database })
  await new Promise((resolve) => setTimeout(resolve, 1_000))
  const idle = rssBytes(server.child.pid)
  // A login hashes with argon2id (19 MiB per hash), which the allocator keeps afterwards.
  const template = (await login(server.url)).access_token
  await fetch(`${server.url}/protected`, { headers: { authorization: `Bearer ${template}` } })
  await new Promise((resolve) => setTimeout(resolve, 1_000))
  const afterLogin = rssBytes(server.child.pid)
  const pool = await mintGatehouseTokens(server.database, template, MEMORY_POOL)
  // RSS moves by up to ~100 MiB between major collections of the verifier's garbage, so a
  // sample at the end of a quarter says little: each quarter reports its peak (sampled
  // every 250 ms), and a leak shows as peaks that keep rising.
  const peaks: number[] = []
  const quarter = MEMORY_REQUESTS / 4
  for (let i = 0; i < 4; i++) {
    let peak = 0
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(server.child.pid))), 250)
    await rawLoad({ url: `${server.url}/protected`, ...FLOOD, tokens: pool, amount: quarter })
    clearInterval(sampler)
    peaks.push(Math.max(peak, rssBytes(server.child.pid)))
    log(`  peak RSS up to ${(i + 1) * quarter} requests: ${(peaks[i]! / 2 ** 20).toFixed(0)} MiB`)
  }
  await stop(server.child)
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`
  memoryLines.push(
    `Start to first answered request: ${fresh.startup.toFixed(0)} ms on a new database ` +
      `(migrations and key generation), ${server.startup.toFixed(0)} ms on an existing one.`,
    `Idle RSS one second after start: ${mib(idle)}; after a login and a request: ${mib(afterLogin)}.`,
    `Peak RSS in each quarter of ${MEMORY_REQUESTS.toLocaleString('en')} requests cycling ` +
      `through ${MEMORY_POOL.toLocaleString('en')} distinct tokens (every one a cache miss): ` +
      `${peaks.map(mib).join(', ')}.`,
  )
  // What each module costs on its own (a fresh process per module, median of three).
  const modules = await firstJsonLine<Record<string, { ms: number; mib: number }>>(
    spawnNode([join(PROBES, 'module-load.js')], { cores: SERVER_CORES }),
  )
  memoryLines.push(
    `Loading one module alone (fresh process, median of 3): ${Object.entries(modules)
      .map(([name, cost]) => `${name} ${cost.ms} ms / ${cost.mib} MiB`)
      .join('; ')}.`,
  )
  const firstHalf = Math.max(peaks[0] ?? 0, peaks[1] ?? 0)
  const growth = Math.max(peaks[2] ?? 0, peaks[3] ?? 0) - firstHalf
  targets.push(
    { target: 'idle RSS < 100 MB', measured: mib(idle), met: idle < 100e6 },
    {
      target: 'start to first answered request < 500 ms',
      measured: `${server.startup.toFixed(0)} ms (${fresh.startup.toFixed(0)} ms new database)`,
      met: server.startup < 500,
    },
    {
      target: 'memory flat over many distinct tokens',
      measured: `${mib(growth)} peak growth after the first half`,
      met: growth < 16 * 2 ** 20,
    },
  )
}
const memoryLines: string[] = []

// ---------------------------------------------------------------------------------------

function versionOf(pkg: string): string {
  try {
    const json = readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')
    return (JSON.parse(json) as { version: string }).version
  } catch {
    return '?'
  }
}

function gatehouseVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
    .version
}

function report(): string {
  const fmt = (n: number, digits = 0) =>
    Number.isFinite(n) ? n.toLocaleString('en', { maximumFractionDigits: digits }) : '–'
  const gatehouseRate = (scenario: string) =>
    rows.find((r) => r.scenario === scenario && r.server.startsWith('gatehouse'))?.result
      .requestsPerSecond
  const lines = [
    `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; ` +
      `Node.js ${process.version}; Gatehouse ${gatehouseVersion()}; ` +
      `Fastify ${versionOf('fastify')}, jose ${versionOf('jose')}, ` +
      `@fastify/jwt ${versionOf('@fastify/jwt')}, passport-jwt ${versionOf('passport-jwt')}, ` +
      `Express ${versionOf('express')}, autocannon ${versionOf('autocannon')}.`,
    canPin
      ? `Servers pinned to core ${SERVER_CORES} (login scenarios: all cores), load generator to core ${CLIENT_CORES} (taskset).`
      : 'No pinning (taskset missing or one core): numbers include the load generator.',
    `Floods: ${FLOOD.connections} connections × pipelining ${FLOOD.pipelining}, ${DURATION} s after ${WARMUP} s warm-up, median of ${ROUNDS} interleaved round(s).`,
    '',
    '| scenario | server | req/s | p50 ms | p99 ms | server CPU µs/req | Gatehouse ÷ this |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => {
      const ours = gatehouseRate(r.scenario)
      const ratio =
        r.server.startsWith('gatehouse') || ours === undefined
          ? ''
          : `${(ours / r.result.requestsPerSecond).toFixed(2)}×`
      const failures = r.result.failures > 0 ? ` (${r.result.failures} failed)` : ''
      return `| ${r.scenario} | ${r.server}${r.note ? `, ${r.note}` : ''} | ${fmt(r.result.requestsPerSecond)}${failures} | ${fmt(r.result.p50, 1)} | ${fmt(r.result.p99, 1)} | ${fmt(r.cpuMicros, 1)} | ${ratio} |`
    }),
    '',
    ...memoryLines,
    '',
    '| target | measured | met |',
    '| --- | --- | --- |',
    ...targets.map((t) => `| ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`),
  ]
  return lines.join('\n')
}

const harness: Harness = {
  quick,
  duration: DURATION,
  warmup: WARMUP,
  rounds: ROUNDS,
  work,
  flood: FLOOD,
  startGatehouse,
  startPeer: (name, env = {}) => startPeer(name, env),
  login,
  measured,
  addRow: (row) => rows.push(row),
  addTarget: (target, measured, met) => targets.push({ target, measured, met }),
  log,
}

async function main(): Promise<void> {
  const keys = await createPeerKeys()
  const steps: Record<Scenario, () => Promise<void>> = {
    hot: () => hotToken(keys),
    misses: () => cacheMisses(keys),
    guard: () => guardInApp(harness, keys),
    login: logins,
    totp: () => totpScenarios(harness),
    refresh: refreshes,
    postgres: () => refreshOnPostgres(harness),
    storm: loginStorm,
    flows: () => codeFlow(harness),
    mail: () => mailQueue(harness),
    workers: () => workers(harness),
    memory,
  }
  for (const scenario of SCENARIOS) if (only.has(scenario)) await steps[scenario]()
  const text = report()
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
  writeFileSync(join(ROOT, 'bench/results/latest.md'), `${text}\n`)
  process.stdout.write(`\n${text}\n`)
}

try {
  await main()
} finally {
  rmSync(work, { recursive: true, force: true })
}
