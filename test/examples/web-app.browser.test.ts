import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildResourceServer } from '../../examples/resource-server/app.js'
import { buildWebApp } from '../../examples/web-app/app.js'
import { chromiumAvailable, freePort, launchChromium } from '../helpers/browser.js'
import { cleanEnv, runCli, startServer, tempDir, type RunningServer } from '../helpers/cli.js'

// The README's steps: a real Gatehouse (the built CLI, demo users), the app registered
// with `gatehouse clients create`, the API and the app, and a person in Chromium.

const run = chromiumAvailable()
const tmp = tempDir()
let gatehouse: RunningServer
let api: FastifyInstance
let web: FastifyInstance
let appUrl: string
let browser: Browser

beforeAll(async () => {
  if (!run) return
  const database = join(tmp.dir, 'web.db')
  const port = await freePort()
  const issuer = `http://127.0.0.1:${port}`
  // At trace level, so the log test below sees everything Gatehouse could log.
  gatehouse = await startServer(
    ['--demo', '--database', database, '--port', String(port), '--issuer', issuer],
    { env: cleanEnv({ GATEHOUSE_LOG_LEVEL: 'trace' }) },
  )
  const appPort = await freePort()
  appUrl = `http://127.0.0.1:${appPort}`
  const created = await runCli([
    'clients',
    'create',
    'Example web app',
    '--scopes',
    'openid profile email data:read',
    '--redirect-uri',
    `${appUrl}/callback`,
    '--post-logout-redirect-uri',
    `${appUrl}/`,
    '--database',
    database,
  ])
  expect(created.code, created.stderr).toBe(0)
  const field = (name: string) =>
    new RegExp(`^${name}:\\s+(\\S+)$`, 'm').exec(created.stdout)?.[1] ?? ''
  api = await buildResourceServer({ gatehouseUrl: issuer })
  const apiUrl = await api.listen({ host: '127.0.0.1', port: 0 })
  web = await buildWebApp({
    issuer,
    clientId: field('client_id'),
    clientSecret: field('client_secret'),
    appUrl,
    apiUrl,
  })
  await web.listen({ host: '127.0.0.1', port: appPort })
  browser = await launchChromium()
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await web?.close()
  await api?.close()
  await gatehouse?.stop()
  tmp.remove()
})

describe.skipIf(!run)('examples/web-app', () => {
  it('signs user1 in through Gatehouse, calls the API with the token, and signs out of both', async () => {
    const page = await (await browser.newContext()).newPage()
    await page.goto(appUrl)
    await page.getByRole('link', { name: 'Sign in with Gatehouse' }).click()
    await page.getByLabel('Username').fill('user1')
    await page.getByLabel('Password').fill('password1')
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL(`${appUrl}/`)
    expect(await page.locator('[data-user]').textContent()).toBe('user1')
    expect(await page.locator('[data-reports]').textContent()).toBe('q1, q2')

    await page.getByRole('link', { name: 'Sign out' }).click()
    await page.waitForURL(`${appUrl}/`)
    expect(await page.getByText('You are not signed in.').count()).toBe(1)
    // Gatehouse's own session ended too: its account page asks to sign in.
    await page.goto(`${gatehouse.url}/ui/account`)
    expect(new URL(page.url()).pathname).toBe('/ui/sign-in')
    // No code or token reached Gatehouse's log, though the log has the requests that
    // carried them (the code exchange, and the logout with its id_token_hint).
    await new Promise((resolve) => setTimeout(resolve, 200))
    const logged = JSON.stringify(gatehouse.logs)
    expect(logged).toContain('/oauth/logout?id_token_hint=[redacted]')
    expect(logged).toContain('"url":"/oauth/token"')
    expect(logged).not.toMatch(/gtha_|gthr_|eyJ/)
  })
})
