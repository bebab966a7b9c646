import { GatehouseError } from '../../../errors/index.js'

const MAX_URI_LENGTH = 2048
const MAX_URIS = 16
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]'])
/** RFC 8252 §7.1: a private-use scheme is a reverse domain name (it has a dot). */
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/

/**
 * Redirect URIs as a client registers them (RFC 6749 §3.1.2, RFC 9700 §2.1, RFC 8252 §7):
 * absolute, no fragment, https, plain http only for a loopback address or localhost
 * (development), or a private-use scheme of a native app. Anything else (javascript:,
 * data:, a relative path) is refused.
 */
export function normalizeRedirectUris(uris: readonly string[], field: string): string[] {
  if (uris.length > MAX_URIS) {
    throw new GatehouseError('invalid_request', `At most ${MAX_URIS} ${field}`)
  }
  for (const uri of uris) {
    const refusal = redirectUriRefusal(uri)
    if (refusal !== null) {
      throw new GatehouseError('invalid_request', `${field}: "${uri.slice(0, 100)}" ${refusal}`)
    }
  }
  return [...new Set(uris)]
}

function redirectUriRefusal(uri: string): string | null {
  if (uri.length > MAX_URI_LENGTH) return `is longer than ${MAX_URI_LENGTH} characters`
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return 'is not an absolute URI'
  }
  if (url.hash !== '' || uri.includes('#')) return 'has a fragment (RFC 6749 §3.1.2)'
  if (url.username !== '' || url.password !== '') return 'has user information'
  if (url.protocol === 'https:') return null
  if (url.protocol === 'http:') {
    return isLoopback(url) || url.hostname === 'localhost'
      ? null
      : 'uses http on a host other than a loopback address or localhost'
  }
  return PRIVATE_USE_SCHEME.test(url.protocol)
    ? null
    : 'has a scheme that is neither https nor a reverse-domain private-use scheme'
}

function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname)
}

/**
 * Whether a redirect URI of a request is one the client registered: the same string
 * exactly, except that a registered loopback `http://127.0.0.1/…` or `http://[::1]/…`
 * matches any port (RFC 8252 §7.3), everything else being equal. No prefix, no
 * normalisation, no wildcard.
 */
export function isRegisteredRedirectUri(registered: readonly string[], uri: string): boolean {
  if (registered.includes(uri)) return true
  if (!uri.startsWith('http://127.0.0.1:') && !uri.startsWith('http://[::1]:')) return false
  let requested: URL
  try {
    requested = new URL(uri)
  } catch {
    return false
  }
  const withoutPort = uri.replace(/^(http:\/\/(?:127\.0\.0\.1|\[::1\])):\d{1,5}(?=[/?]|$)/, '$1')
  if (withoutPort === uri || requested.port === '') return false
  return registered.some((candidate) => candidate === withoutPort)
}
