import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { chromium, type Browser, type Page } from 'playwright-core'

/** Debian's Chromium; never a downloaded browser. */
export const CHROMIUM = process.env['GATEHOUSE_TEST_CHROMIUM'] ?? '/usr/bin/chromium'

/**
 * Whether the browser tests can run. On CI they must (a silent skip would hide a broken
 * setup); on a laptop without Chromium they skip and say so.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true
  if (process.env['CI']) throw new Error(`Chromium is required on CI at ${CHROMIUM}`)
  console.warn(`Skipping browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium)`)
  return false
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** A port nobody listens on right now, so the issuer can name it before the server starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
)

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: { target: unknown[] }[]
}

/**
 * axe-core's serious and critical findings on the page, one line each. The script is evaluated through
 * the DevTools protocol, which the page's CSP does not govern, so the CSP stays strict.
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource)
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } })
      .axe
    return axe.run()
  })
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`,
    )
}

/** Whether the page scrolls sideways at its current width. */
export function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)
}
