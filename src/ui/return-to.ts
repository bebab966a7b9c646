/**
 * Where to go after signing in: only a path on this origin. `//evil.example` (scheme
 * relative), `/\evil.example` (browsers read `\` as `/`), absolute URLs, control
 * characters, anything over 2 KiB, and anything that becomes one of these once normalised
 * fall back to `home`. The answer is the exact value to put in `Location`.
 */
export function safeReturnTo(value: unknown, home: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return home
  if (!value.startsWith('/') || value.startsWith('//') || hasControlOrBackslash(value)) return home
  // Resolve against a placeholder origin: whatever the string does, it must stay there.
  const base = 'http://return-to.invalid'
  let url: URL
  try {
    url = new URL(value, base)
  } catch {
    return home
  }
  if (url.origin !== base) return home
  // Judge what will be sent, not what came: `/.//evil.example`, `/ui/..//evil.example` and
  // `/%2e//evil.example` all normalise to `//evil.example`, which a browser reads as
  // another host. The path sent must start with exactly one `/`.
  const path = `${url.pathname}${url.search}${url.hash}`
  return path.startsWith('//') ? home : path
}

function hasControlOrBackslash(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code < 0x20 || code === 0x7f || code === 0x5c) return true
  }
  return false
}
