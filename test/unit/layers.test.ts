/**
 * The layer table of DESIGN.md is enforced by lint: a probe file that imports against it
 * fails `eslint` with the rule's message, and the same imports from a layer that may make
 * them pass.
 */
import { execFile } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, expect, it } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))
const probes: string[] = []
afterAll(() => {
  for (const probe of probes) rmSync(probe, { force: true })
})

async function lint(path: string, source: string): Promise<{ code: number; output: string }> {
  const file = `${root}${path}`
  probes.push(file)
  writeFileSync(file, source)
  try {
    const { stdout } = await run('npx', ['eslint', '--no-warn-ignored', path], { cwd: root })
    return { code: 0, output: stdout }
  } catch (error) {
    const failure = error as { code: number; stdout: string }
    return { code: failure.code, output: failure.stdout }
  }
}

it('fails lint on an import against the layer table or of the session opener, and passes the same import where it is allowed', async () => {
  const skip = await lint(
    'src/store/zz-layer-probe.ts',
    "export { buildApp } from '../http/app.js'\nexport type { Core } from '../core.js'\n" +
      "import { openSession } from '../auth/token-pair.js'\nexport const opener = openSession\n",
  )
  expect(skip.code).toBe(1)
  expect(skip.output).toMatch(/src\/store\/ may import only config/)
  expect(skip.output).toMatch(/Only the composition roots/)
  // Every way into a session ends in completeSignIn: nothing else may open one.
  expect(skip.output).toMatch(/Only auth\/sign-in\.ts opens sessions/)

  const guard = await lint(
    'src/guard/zz-layer-probe.ts',
    "export type { Store } from '../store/store.js'\n",
  )
  expect(guard.code).toBe(1)
  expect(guard.output).toMatch(/src\/guard\/ may import only tokens/)

  const allowed = await lint(
    'src/auth/zz-layer-probe.ts',
    "export type { Store } from '../store/store.js'\nexport type { ActiveSigningKey } from '../tokens/signing-key.js'\n",
  )
  expect(allowed.output).toBe('')
  expect(allowed.code).toBe(0)
}, 120_000)
