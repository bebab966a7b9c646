import { settings } from './schema.js'

const KNOWN: ReadonlySet<string> = new Set(Object.values(settings).map((setting) => setting.env))
/** Variables read by the test suite and tooling, not by the server. */
const IGNORED_PREFIXES = ['GATEHOUSE_TEST_']

/**
 * A `GATEHOUSE_*` variable that no setting reads is almost always a typo that silently
 * leaves the default in force; say so, with the nearest known name.
 */
export function unknownVariableWarnings(env: Record<string, string | undefined>): string[] {
  const warnings: string[] = []
  for (const name of Object.keys(env)) {
    if (!name.startsWith('GATEHOUSE_') || KNOWN.has(name)) continue
    if (IGNORED_PREFIXES.some((prefix) => name.startsWith(prefix))) continue
    const nearest = nearestKnown(name)
    warnings.push(
      `${name} is not a Gatehouse setting and is ignored` +
        (nearest === undefined ? '' : `; did you mean ${nearest}?`),
    )
  }
  return warnings
}

function nearestKnown(name: string): string | undefined {
  let best: { name: string; distance: number } | undefined
  for (const known of KNOWN) {
    const distance = editDistance(name, known)
    if (best === undefined || distance < best.distance) best = { name: known, distance }
  }
  // Beyond a few edits the "nearest" name is a guess that misleads more than it helps.
  return best !== undefined && best.distance <= Math.max(3, Math.floor(name.length / 4))
    ? best.name
    : undefined
}

/** Levenshtein distance, two rows at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitution))
    }
    previous = row
  }
  return previous[b.length] ?? 0
}
