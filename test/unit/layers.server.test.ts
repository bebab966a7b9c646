/**
 * The import rules of src/ are enforced by `npm run lint`: the layer table of DESIGN.md,
 * the capability boundaries and the cycle ban by dependency-cruiser (.dependency-cruiser.cjs),
 * the one session opener by ESLint. Probe files that break each rule fail with that rule;
 * the same imports from where they are allowed pass.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { capabilities } from '../../src/capabilities/index.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))
const written: string[] = []
afterAll(() => {
  for (const path of written.reverse()) rmSync(`${root}${path}`, { recursive: true, force: true })
})

function write(files: Record<string, string>): void {
  for (const [path, source] of Object.entries(files)) {
    const dir = dirname(`${root}${path}`)
    mkdirSync(dir, { recursive: true })
    written.push(path)
    writeFileSync(`${root}${path}`, source)
  }
}

/** The JSON report a linter in node_modules prints, whether or not it found problems. */
async function reportOf(bin: string, args: string[]): Promise<string> {
  try {
    return (
      await run(process.execPath, [`${root}node_modules/${bin}`, ...args], {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
      })
    ).stdout
  } catch (error) {
    // It exits non-zero when it finds problems; the report is still on stdout.
    return (error as { stdout: string }).stdout
  }
}

/** Violations dependency-cruiser finds in src/ with the probes in place, as `rule: from → to`. */
async function cruise(files: Record<string, string>): Promise<string[]> {
  write(files)
  const stdout = await reportOf('dependency-cruiser/bin/dependency-cruise.mjs', [
    'src',
    '--config',
    '.dependency-cruiser.cjs',
    '--output-type',
    'json',
  ])
  const report = JSON.parse(stdout) as {
    summary: { violations: { rule: { name: string }; from: string; to: string }[] }
  }
  return report.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)
}

describe('import rules', () => {
  it('refuses imports against the layer table, the capability table, into another capability, from a closed kit, and cycles; allows the same where the tables do', async () => {
    const found = await cruise({
      // A lower layer reaching up, and outside the roots into the core.
      'src/store/zz-probe.ts':
        "export { buildApp } from '../http/app.js'\nexport type { Core } from '../core.js'\n",
      'src/guard/zz-probe.ts': "export type { Store } from '../store/store.js'\n",
      // A capability's use case reaching into another's files, not its index.ts.
      'src/capabilities/admin/auth/zz-probe.ts':
        "export { openSession } from '../../sessions/auth/token-pair.js'\n",
      // Through index.ts, but against the table (keys depends on nothing).
      'src/capabilities/keys/auth/zz-probe.ts':
        "export { completeSignIn } from '../../sessions/index.js'\n",
      // Even where any capability may be imported (the CLI), only through its index.ts.
      'src/cli/zz-probe.ts': "export { login } from '../capabilities/sessions/auth/login.js'\n",
      // A closed kit importing a capability.
      'src/auth/zz-probe.ts':
        "export { completeSignIn } from '../capabilities/sessions/index.js'\n",
      // A cycle between two files of one capability.
      'src/capabilities/email/auth/zz-cycle-a.ts':
        "import { b } from './zz-cycle-b.js'\nexport const a = () => b\n",
      'src/capabilities/email/auth/zz-cycle-b.ts':
        "import { a } from './zz-cycle-a.js'\nexport const b = () => a\n",
      // Allowed: admin may use sessions through its index.ts; auth may use store types.
      'src/capabilities/admin/auth/zz-allowed.ts':
        "export { completeSignIn } from '../../sessions/index.js'\nexport type { Store } from '../../../store/store.js'\n",
    })
    const about = (file: string) => found.filter((v) => v.includes(`${file} →`))
    expect(about('src/store/zz-probe.ts')).toEqual(
      expect.arrayContaining([
        'layer-store: src/store/zz-probe.ts → src/http/app.ts',
        'core-outside-roots: src/store/zz-probe.ts → src/core.ts',
      ]),
    )
    expect(about('src/guard/zz-probe.ts')).toEqual([
      'layer-guard: src/guard/zz-probe.ts → src/store/store.ts',
    ])
    expect(about('src/capabilities/admin/auth/zz-probe.ts')).toEqual([
      'capability-deep-import: src/capabilities/admin/auth/zz-probe.ts → src/capabilities/sessions/auth/token-pair.ts',
    ])
    expect(about('src/capabilities/keys/auth/zz-probe.ts')).toEqual([
      'capability-keys: src/capabilities/keys/auth/zz-probe.ts → src/capabilities/sessions/index.ts',
    ])
    expect(about('src/cli/zz-probe.ts')).toEqual([
      'root-deep-import: src/cli/zz-probe.ts → src/capabilities/sessions/auth/login.ts',
    ])
    expect(about('src/auth/zz-probe.ts')).toEqual([
      'kit-imports-capability: src/auth/zz-probe.ts → src/capabilities/sessions/index.ts',
    ])
    expect(found).toContain(
      'no-circular: src/capabilities/email/auth/zz-cycle-a.ts → src/capabilities/email/auth/zz-cycle-b.ts',
    )
    expect(about('src/capabilities/admin/auth/zz-allowed.ts')).toEqual([])
    // Nothing else: the real code keeps every rule.
    expect(found.filter((v) => !v.includes('/zz-'))).toEqual([])
  }, 60_000)

  it('has the capability table of the lint configuration match what each capability declares', () => {
    const require = createRequire(import.meta.url)
    const config = require(`${root}.dependency-cruiser.cjs`) as {
      capabilityTable: Record<string, string[]>
    }
    const declared = Object.fromEntries(capabilities.map((c) => [c.name, [...c.dependsOn].sort()]))
    const table = Object.fromEntries(
      Object.entries(config.capabilityTable).map(([name, deps]) => [name, [...deps].sort()]),
    )
    expect(declared).toEqual(table)
  })

  it('refuses, in ESLint, opening a session anywhere but sessions/auth/sign-in.ts', async () => {
    write({
      'src/capabilities/sessions/auth/zz-opener.ts':
        "import { openSession } from './token-pair.js'\nexport const opener = openSession\n",
    })
    const stdout = await reportOf('eslint/bin/eslint.js', [
      '--no-warn-ignored',
      '--format',
      'json',
      'src/capabilities/sessions/auth/zz-opener.ts',
    ])
    const [result] = JSON.parse(stdout) as { messages: { message: string }[] }[]
    expect(result!.messages.map((m) => m.message)).toEqual([
      'Only sessions/auth/sign-in.ts opens sessions: end a sign-in method in completeSignIn.',
    ])
  }, 60_000)
})
