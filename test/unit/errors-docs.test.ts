import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
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

describe('docs/errors.md', () => {
  it('lists every error code with its status, OAuth equivalent and meaning, as the catalogue does', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
    const table = /<!-- errors:start -->([\s\S]*?)<!-- errors:end -->/.exec(doc)?.[1]
    expect(rowsOf(table ?? '')).toEqual(errorRows())
  })

  it('cannot be written without a row for every code (tsc checks it)', () => {
    const { invalid_request } = ERROR_CATALOGUE
    // @ts-expect-error a catalogue missing any code's row does not type-check
    const partial: typeof ERROR_CATALOGUE = { invalid_request }
    expect(Object.keys(partial)).toEqual(['invalid_request'])
  })
})
