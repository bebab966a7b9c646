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

/**
 * Writes the probe files and lints them in one ESLint run (type-checked linting costs
 * seconds a start); answers each file's messages, keyed by its path.
 */
async function lint(files: Record<string, string>): Promise<Record<string, string>> {
  for (const [path, source] of Object.entries(files)) {
    const file = `${root}${path}`
    probes.push(file)
    writeFileSync(file, source)
  }
  let stdout: string
  try {
    ;({ stdout } = await run(
      'npx',
      ['eslint', '--no-warn-ignored', '--format', 'json', ...Object.keys(files)],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
    ))
  } catch (error) {
    // ESLint exits 1 when it finds problems; the report is still on stdout.
    stdout = (error as { stdout: string }).stdout
  }
  const results = JSON.parse(stdout) as { filePath: string; messages: { message: string }[] }[]
  return Object.fromEntries(
    results.map((result) => [
      result.filePath.slice(root.length),
      result.messages.map((m) => m.message).join('\n'),
    ]),
  )
}

it('fails lint on an import against the layer table or of the session opener, and passes the same import where it is allowed', async () => {
  const found = await lint({
    'src/store/zz-layer-probe.ts':
      "export { buildApp } from '../http/app.js'\nexport type { Core } from '../core.js'\n" +
      "import { openSession } from '../auth/token-pair.js'\nexport const opener = openSession\n",
    'src/guard/zz-layer-probe.ts': "export type { Store } from '../store/store.js'\n",
    'src/auth/zz-layer-probe.ts':
      "export type { Store } from '../store/store.js'\nexport type { ActiveSigningKey } from '../tokens/signing-key.js'\n",
  })
  const store = found['src/store/zz-layer-probe.ts'] ?? ''
  expect(store).toMatch(/src\/store\/ may import only config/)
  expect(store).toMatch(/Only the composition roots/)
  // Every way into a session ends in completeSignIn: nothing else may open one.
  expect(store).toMatch(/Only auth\/sign-in\.ts opens sessions/)
  expect(found['src/guard/zz-layer-probe.ts']).toMatch(/src\/guard\/ may import only tokens/)
  expect(found['src/auth/zz-layer-probe.ts']).toBe('')
}, 120_000)
