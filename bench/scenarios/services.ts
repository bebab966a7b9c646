/**
 * Gatehouse beside other services: the guard inside a user's Fastify app, `serve --workers`,
 * and refresh-token rotation on PostgreSQL.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { interleaved } from '../lib/interleaved.js'
import type { Harness, Server } from '../lib/harness.js'
import { refreshChains } from '../lib/refresh.js'
import { cpuSeconds, SERVER_CORES, stop } from '../lib/processes.js'
import type { PeerKeys } from '../lib/tokens.js'

/**
 * `gatehouse-auth/guard` in a user's Fastify app, against the same app without auth and
 * with @fastify/jwt; and the guard called from the handler instead of as a hook.
 */
export async function guardInApp(h: Harness, keys: PeerKeys): Promise<void> {
  h.log('guard: a Fastify app with gatehouse-auth/guard, without auth, with @fastify/jwt')
  const gatehouse = await h.startGatehouse('gatehouse-issuer', { cores: null })
  const token = (await h.login(gatehouse.url)).access_token
  const env = { ...keys.env, BENCH_GATEHOUSE: gatehouse.url }
  const hook = await h.startPeer('guard-hook', env)
  const handler = await h.startPeer('guard-handler', env)
  hook.name = 'gatehouse-auth/guard, onRequest hook'
  handler.name = 'gatehouse-auth/guard, called in the handler'
  const plain = await h.startPeer('fastify', env)
  plain.name = 'the same app without auth'
  const jwt = await h.startPeer('fastify-jwt', env)
  jwt.name = 'the same app with @fastify/jwt (HS256)'
  const results = await interleaved(h, '/protected in your Fastify app, one hot token', [
    { server: hook, token },
    { server: handler, token },
    { server: plain, token },
    { server: jwt, token: (await keys.hs256(1))[0] ?? null },
  ])
  for (const server of [hook, handler, plain, jwt, gatehouse]) await stop(server.child)
  const rate = (server: Server) => results.get(server.name)?.requestsPerSecond ?? Number.NaN
  const ratio = rate(hook) / rate(plain)
  h.addTarget(
    'gatehouse-auth/guard ≥ 0.9× the same Fastify app without auth',
    `${ratio.toFixed(2)}×`,
    ratio >= 0.9,
  )
}

/** `serve --workers 2` against one worker, both on every core (the load generator's too). */
export async function workers(h: Harness): Promise<void> {
  h.log('workers: serve --workers 2 against one process')
  const one = await h.startGatehouse('gatehouse, 1 process', { cores: null, logLevel: 'info' })
  const two = await h.startGatehouse('gatehouse --workers 2', {
    cores: null,
    logLevel: 'info',
    args: ['--workers', '2'],
  })
  const token = (await h.login(one.url)).access_token
  const theirs = (await h.login(two.url)).access_token
  await interleaved(h, '/protected, one hot token, default logs, unpinned', [
    { server: one, token },
    { server: two, token: theirs },
  ])
  await stop(one.child)
  await stop(two.child)
}

const POSTGRES = process.env['GATEHOUSE_BENCH_POSTGRES'] ?? 'postgres://postgres@127.0.0.1:5432'

/** Refresh-token rotation on PostgreSQL: the same chains as the SQLite row. */
export async function refreshOnPostgres(h: Harness): Promise<void> {
  h.log('refresh on PostgreSQL: 16 clients rotating their refresh tokens')
  const admin = new pg.Client({ connectionString: `${POSTGRES}/postgres` })
  try {
    await admin.connect()
    await admin.query('DROP DATABASE IF EXISTS gatehouse_bench')
    await admin.query('CREATE DATABASE gatehouse_bench')
  } catch (error) {
    h.log(`  skipped: no PostgreSQL at ${POSTGRES} (${(error as Error).message})`)
    return
  } finally {
    await admin.end().catch(() => undefined)
  }
  const server = await h.startGatehouse('gatehouse-refresh-postgres', {
    cores: SERVER_CORES,
    database: `${POSTGRES}/gatehouse_bench`,
    env: { GATEHOUSE_SECRET: randomBytes(48).toString('base64') },
  })
  await measureRefresh(h, server, 'POST /refresh (rotation, PostgreSQL on 127.0.0.1)')
  await stop(server.child)
}

/** 16 clients rotating their refresh tokens for the run's duration: one row. */
export async function measureRefresh(h: Harness, server: Server, scenario: string): Promise<void> {
  const tokens: string[] = []
  for (let i = 0; i < 16; i++) tokens.push((await h.login(server.url)).refresh_token)
  const before = cpuSeconds(server.child.pid)
  const chains = await refreshChains(server.url, tokens, h.duration)
  const cpu = cpuSeconds(server.child.pid) - before
  const requests = chains.requestsPerSecond * h.duration
  h.addRow({
    scenario,
    server: server.name,
    result: { ...chains, requests, seconds: h.duration },
    cpuMicros: (cpu * 1e6) / Math.max(1, requests),
  })
}
