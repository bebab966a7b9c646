import { GatehouseError } from '../errors/index.js'

const MIN_LENGTH = 3
const MAX_LENGTH = 64
/**
 * Characters that show as nothing or as a space: Unicode's Default_Ignorable_Code_Point
 * (variation selectors, the combining grapheme joiner, fillers…, not a hand-kept list)
 * and unassigned code points (a later Unicode may make them anything).
 */
const INVISIBLE_OR_SPACE =
  /[\p{White_Space}\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\p{Cn}]/u
const ALLOWED = /^[\p{L}\p{M}\p{Nd}._@-]+$/u

/** Scripts a username's letters may come from; mixing two of them is refused (below). */
const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Hebrew',
  'Arabic',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Thai',
  'Lao',
  'Georgian',
  'Hangul',
  'Hiragana',
  'Katakana',
  'Han',
  'Ethiopic',
  'Khmer',
  'Sinhala',
].map((name) => ({ name, pattern: new RegExp(`\\p{Script=${name}}`, 'u') }))

/** Script sets that are one writing system in practice (UTS #39 "highly restrictive"). */
const ALLOWED_MIXES = [new Set(['Han', 'Hiragana', 'Katakana']), new Set(['Han', 'Hangul'])]

export interface NormalizedUsername {
  /** NFKC form, shown back to the user. */
  display: string
  /** Case-folded form used for uniqueness and lookups. */
  key: string
}

/**
 * NFKC folds compatibility lookalikes (fullwidth `ａdmin` → `admin`), then the username is
 * compared case-insensitively. Spaces, control and zero-width characters are refused rather
 * than trimmed, so what the user typed is exactly what is stored. Letters from two scripts
 * are refused too: that is how `аdmin` with a Cyrillic `а` would impersonate `admin`.
 * Throws `invalid_username` with a message that says what to fix.
 */
export function normalizeUsername(input: string): NormalizedUsername {
  const display = input.normalize('NFKC')
  if (INVISIBLE_OR_SPACE.test(display)) {
    throw invalid('Username must not contain spaces, control or invisible characters')
  }
  const length = [...display].length
  if (length < MIN_LENGTH || length > MAX_LENGTH) {
    throw invalid(`Username must be ${MIN_LENGTH} to ${MAX_LENGTH} characters long`)
  }
  if (!ALLOWED.test(display)) {
    throw invalid('Username may contain only letters, digits and the characters . _ - @')
  }
  if (mixesScripts(display)) {
    throw invalid('Username must not mix letters from different scripts')
  }
  return { display, key: foldCase(display) }
}

/** The lookup key for a login attempt, or null when no user could have that name. */
export function usernameKeyOrNull(input: string): string | null {
  try {
    return normalizeUsername(input).key
  } catch {
    return null
  }
}

/**
 * Approximates Unicode full case folding with the engine's own mappings: upper-casing
 * first maps `ß` to `SS` (so `straße` equals `STRASSE`), lower-casing then gives one form.
 */
export function foldCase(value: string): string {
  return value.toUpperCase().toLowerCase().normalize('NFKC')
}

function mixesScripts(value: string): boolean {
  const seen = new Set<string>()
  for (const char of value) {
    if (!/\p{L}/u.test(char)) continue
    seen.add(SCRIPTS.find((s) => s.pattern.test(char))?.name ?? `other:${char}`)
  }
  if (seen.size <= 1) return false
  return !ALLOWED_MIXES.some((mix) => [...seen].every((script) => mix.has(script)))
}

function invalid(message: string): GatehouseError {
  return new GatehouseError('invalid_username', message)
}
