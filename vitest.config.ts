import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

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
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
