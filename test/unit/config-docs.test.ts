import { describe, expect, it } from 'vitest'
import { generatedTableRows } from '../helpers/markdown-table.js'
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

describe('docs/configuration.md table', () => {
  it('matches the settings schema exactly (names, flags, defaults, descriptions)', () => {
    expect(generatedTableRows('docs/configuration.md', 'config')).toEqual(rowsFromSchema())
  })
})
