import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/**
 * A test file's suffix says what it needs, and each kind is a project:
 * `vitest --project fast` is the inner loop (in-process, `app.inject`, in-memory SQLite);
 * `server` spawns the built CLI or listens on a socket (needs `npm run build`); `browser`
 * drives Chromium; `services` needs PostgreSQL or Redis. `vitest run` runs them all.
 */
const KINDS = ['server', 'browser', 'services'] as const

export default defineConfig({
  resolve: {
    // The examples import the package by name, as a user's app would.
    alias: [
      {
        find: /^gatehouse-auth\/guard$/,
        replacement: fileURLToPath(new URL('./src/guard/index.ts', import.meta.url)),
      },
      {
        find: /^gatehouse-auth$/,
        replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'fast',
          include: ['test/**/*.test.ts'],
          exclude: KINDS.map((kind) => `test/**/*.${kind}.test.ts`),
          // One process for every in-process file: Gatehouse keeps no state in modules
          // (shared state lives behind the store and cluster interfaces), so a file cannot
          // leak into the next; importing src/ once instead of per file halves the time.
          isolate: false,
        },
      },
      ...KINDS.map((kind) => ({
        extends: true as const,
        test: { name: kind, include: [`test/**/*.${kind}.test.ts`] },
      })),
    ],
  },
})
