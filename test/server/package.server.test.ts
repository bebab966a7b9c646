/**
 * Issue 11, point 15: the package as users get it. `npm pack` of the dist/ that `npm test`
 * built (publishing builds it in `prepack`, checked below; the pack skips that second
 * ~10 s build), then the tarball unpacked where an install puts it, with its `bin` linked
 * as npm links it. Dependencies are linked from this checkout's node_modules, because tests
 * reach no registry; what is under test is the tarball itself: files, bin, exports.
 */
import { execFile } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, it } from 'vitest'
import { tempDir } from '../helpers/cli.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))
const tmp = tempDir()
afterAll(() => tmp.remove())

it('packs a package named gatehouse-auth whose bin runs and whose guard imports', async () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string
    version: string
    dependencies: Record<string, string>
    bin: Record<string, string>
    scripts: Record<string, string>
  }
  expect(manifest.name).toBe('gatehouse-auth')
  expect(manifest.scripts['prepack']).toBe('npm run build')
  expect(manifest.bin).toEqual({ gatehouse: 'dist/cli/main.js' })

  const packed = await run(
    'npm',
    ['pack', '--ignore-scripts', '--pack-destination', tmp.dir, '--json'],
    {
      cwd: root,
      timeout: 180_000,
    },
  )
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[]
  const files = (info?.files ?? []).map((f) => f.path)
  expect(files).toContain('dist/cli/main.js')
  expect(files).toContain('dist/guard/index.js')
  expect(files).toContain('dist/index.d.ts')
  expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false)

  const project = join(tmp.dir, 'app')
  const installed = join(project, 'node_modules', 'gatehouse-auth')
  mkdirSync(installed, { recursive: true })
  await run('tar', [
    '-xzf',
    join(tmp.dir, info?.filename ?? ''),
    '-C',
    installed,
    '--strip-components=1',
  ])
  for (const dependency of Object.keys(manifest.dependencies)) {
    const target = join(project, 'node_modules', dependency)
    mkdirSync(join(target, '..'), { recursive: true })
    symlinkSync(join(root, 'node_modules', dependency), target)
  }
  // npm marks bin targets executable when it installs them.
  chmodSync(join(installed, manifest.bin['gatehouse'] ?? ''), 0o755)
  mkdirSync(join(project, 'node_modules', '.bin'))
  symlinkSync(
    '../gatehouse-auth/dist/cli/main.js',
    join(project, 'node_modules', '.bin', 'gatehouse'),
  )
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', type: 'module' }))

  const version = await run('npx', ['--no-install', 'gatehouse', '--version'], { cwd: project })
  expect(version.stdout).toBe(`gatehouse ${manifest.version}\n`)
  const guard = await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const m = await import('gatehouse-auth/guard'); const g = await import('gatehouse-auth'); console.log(typeof m.createGuard, typeof m.gatehouseGuard, typeof g.gatehouse)",
    ],
    { cwd: project },
  )
  expect(guard.stdout).toBe('function function function\n')
}, 240_000)
