import { describe, expect, it } from 'vitest'
import { generatedTableRows } from '../helpers/markdown-table.js'
import { ERROR_CATALOGUE, ERROR_CODES } from '../../src/errors/index.js'

/** docs/errors.md's rows as the catalogue describes them. */
function errorRows(): string[][] {
  return ERROR_CODES.map((code) => {
    const entry = ERROR_CATALOGUE[code]
    return [
      `\`${code}\``,
      String(entry.status),
      `\`${entry.oauth.error}\` ${entry.oauth.status}`,
      entry.meaning,
    ]
  })
}

describe('docs/errors.md', () => {
  it('lists every error code with its status, OAuth equivalent and meaning, as the catalogue does', () => {
    expect(generatedTableRows('docs/errors.md', 'errors')).toEqual(errorRows())
  })

  it('cannot be written without a row for every code (tsc checks it)', () => {
    const { invalid_request } = ERROR_CATALOGUE
    // @ts-expect-error a catalogue missing any code's row does not type-check
    const partial: typeof ERROR_CATALOGUE = { invalid_request }
    expect(Object.keys(partial)).toEqual(['invalid_request'])
  })
})
