import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, tempDir, type RunningServer } from '../helpers/cli.js'

interface Step {
  command: string
  expected: string | null
}

/** Pages with walkthroughs, run in this order against one server. */
const PAGES = ['README.md', 'docs/machine-access.md']

/** The walkthrough blocks of the README and the reference pages, each in order. */
function walkthroughs(): string[] {
  const blocks = PAGES.flatMap((page) => {
    const text = readFileSync(new URL(`../../${page}`, import.meta.url), 'utf8')
    const found = [...text.matchAll(/<!-- walkthrough:start -->\s*```sh\n([\s\S]*?)```/g)]
    if (found.length === 0) throw new Error(`${page} has no walkthrough block`)
    return found.map((m) => m[1]!)
  })
  return blocks
}

/** Commands, each followed by `# expected output` (… = anything). */
function stepsOf(block: string): Step[] {
  const steps: Step[] = []
  let command = ''
  for (const line of block.split('\n')) {
    if (line.trim() === '') continue
    if (line.startsWith('# ')) {
      const text = line.slice(2)
      if (text.startsWith('{') && steps.length > 0) steps[steps.length - 1]!.expected = text
      continue
    }
    command += `${line}\n`
    if (!line.endsWith('\\')) {
      steps.push({ command, expected: null })
      command = ''
    }
  }
  return steps
}

function matches(actual: string, expected: string): boolean {
  const pattern = expected
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${pattern}$`).test(actual)
}

const tmp = tempDir()
let server: RunningServer
beforeAll(async () => {
  server = await startServer(['--demo', '--database', join(tmp.dir, 'readme.db')])
})
afterAll(async () => {
  await server?.stop()
  tmp.remove()
})

describe('README walkthroughs', () => {
  it.each(walkthroughs().map((block, i) => [i + 1, block] as const))(
    'block %i: every curl line works as printed',
    (_n, block) => {
      const steps = stepsOf(block)
      expect(steps.filter((s) => s.expected !== null).length).toBeGreaterThanOrEqual(3)
      const script = steps
        .map(
          (step, i) =>
            `echo "@@${i}"\n${step.command.replaceAll('http://127.0.0.1:8080', server.url)}echo`,
        )
        .join('\n')
      const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
        encoding: 'utf8',
        timeout: 60_000,
      })
      expect(run.status, run.stderr).toBe(0)
      const outputs = run.stdout.split(/^@@\d+\n/m).slice(1)
      steps.forEach((step, i) => {
        if (step.expected === null) return
        const actual = (outputs[i] ?? '').trim()
        expect(matches(actual, step.expected), `${step.command}\n→ ${actual}`).toBe(true)
      })
    },
  )
})
