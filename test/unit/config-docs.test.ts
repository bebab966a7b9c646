import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { settings } from '../../src/config/schema.js'

/** The configuration table's rows as the schema describes them. */
function rowsFromSchema(): string[][] {
  return Object.values(settings).map((s) => [
    `\`${s.env}\``,
    s.flag ? `\`--${s.flag}\`` : '',
    'default' in s.schema ? `\`${String(s.schema.default)}\`` : '',
    s.description,
  ])
}

/** Cells of a markdown table, whatever its padding; the header and separator dropped. */
function rowsOf(table: string): string[][] {
  return table
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2)
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    )
}

describe('docs/configuration.md table', () => {
  it('matches the settings schema exactly (names, flags, defaults, descriptions)', () => {
    const readme = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8')
    const table = /<!-- config:start -->([\s\S]*?)<!-- config:end -->/.exec(readme)?.[1]
    expect(rowsOf(table ?? '')).toEqual(rowsFromSchema())
  })
})
