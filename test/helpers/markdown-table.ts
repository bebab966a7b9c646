import { readFileSync } from 'node:fs'

/**
 * The cells of the markdown table between `<!-- name:start -->` and `<!-- name:end -->`
 * in a docs page, whatever its padding; the header and separator rows dropped.
 */
export function generatedTableRows(page: string, name: string): string[][] {
  const text = readFileSync(new URL(`../../${page}`, import.meta.url), 'utf8')
  const table = new RegExp(`<!-- ${name}:start -->([\\s\\S]*?)<!-- ${name}:end -->`).exec(text)?.[1]
  return (table ?? '')
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
