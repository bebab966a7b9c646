import { randomBytes } from 'node:crypto'
import { parseCookie, stringifySetCookie, type SerializeOptions } from 'cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  authenticateAccessToken,
  checkCsrfToken,
  csrfTokenFor,
  isFirstPartyToken,
  refresh,
  type TokenPair,
} from '../capabilities/sessions/index.js'
import type { Auth, Principal } from '../auth/context.js'
import { requestContext } from '../http/route-deps.js'

/**
 * A browser's sign-in is an ordinary Gatehouse session: its access and refresh tokens in
 * HttpOnly cookies. A page request verifies the access token (no store read) and, when it
 * has expired or was cut off by a role change, rotates the refresh token like `/refresh`
 * does. Ending the session anywhere (any logout scope, `/sessions`, a disabled account)
 * ends the browser's sign-in at its next request.
 */
export interface CookieNames {
  access: string
  refresh: string
  /** A random value per browser that the forms' CSRF tokens are bound to. */
  csrf: string
}

/**
 * `__Host-` cookies are Secure, host-only and at `/`: no subdomain and no plain-http page
 * can set or overwrite them. Plain names only for http://localhost development.
 */
export function cookieNames(secure: boolean): CookieNames {
  const prefix = secure ? '__Host-' : ''
  return {
    access: `${prefix}gatehouse-access`,
    refresh: `${prefix}gatehouse-refresh`,
    csrf: `${prefix}gatehouse-csrf`,
  }
}

export interface BrowserCookies {
  names: CookieNames
  secure: boolean
}

function cookieOptions(settings: BrowserCookies, maxAge?: number): SerializeOptions {
  return {
    httpOnly: true,
    secure: settings.secure,
    sameSite: 'lax',
    path: '/',
    ...(maxAge !== undefined && { maxAge }),
  }
}

export function readCookies(request: FastifyRequest): Record<string, string | undefined> {
  const header = request.headers.cookie
  return header === undefined || header === '' ? {} : parseCookie(header)
}

export function setSessionCookies(
  reply: FastifyReply,
  pair: TokenPair,
  settings: BrowserCookies,
): void {
  void reply.header('set-cookie', [
    stringifySetCookie(
      settings.names.access,
      pair.accessToken,
      cookieOptions(settings, pair.refreshExpiresIn),
    ),
    stringifySetCookie(
      settings.names.refresh,
      pair.refreshToken,
      cookieOptions(settings, pair.refreshExpiresIn),
    ),
  ])
}

export function clearSessionCookies(reply: FastifyReply, settings: BrowserCookies): void {
  const gone = { ...cookieOptions(settings), expires: new Date(0) }
  void reply.header('set-cookie', [
    stringifySetCookie(settings.names.access, '', gone),
    stringifySetCookie(settings.names.refresh, '', gone),
  ])
}

/**
 * The signed-in person of this request, or null. Refreshes (and sets new cookies) when the
 * access token no longer verifies but the session lives on; clears the cookies when the
 * session is over.
 */
export async function resolveBrowserSession(
  auth: Auth,
  request: FastifyRequest,
  reply: FastifyReply,
  settings: BrowserCookies,
): Promise<Principal | null> {
  const cookies = readCookies(request)
  const access = cookies[settings.names.access]
  const refreshToken = cookies[settings.names.refresh]
  if (access) {
    try {
      const principal = await authenticateAccessToken(auth, access)
      // An app's access token for this person is no browser session (whatever carries
      // it): with it the app could act on the account and consent on the person's behalf.
      if (principal.kind === 'user' && isFirstPartyToken(principal)) return principal
    } catch {
      // Expired, revoked or forged: the refresh token decides below.
    }
  }
  if (!refreshToken) {
    if (access) clearSessionCookies(reply, settings)
    return null
  }
  try {
    // `refresh` takes first-party refresh tokens only (an app's is refused untouched).
    const pair = await refresh(auth, refreshToken, requestContext(request))
    setSessionCookies(reply, pair, settings)
    return await authenticateAccessToken(auth, pair.accessToken)
  } catch {
    clearSessionCookies(reply, settings)
    return null
  }
}

const NONCE_PATTERN = /^[A-Za-z0-9_-]{24}$/

/**
 * The browser's CSRF nonce, set on first sight. Forms carry an HMAC of it that only the
 * server can compute; a cross-site form can neither read the cookie nor make the HMAC.
 */
export function ensureCsrfNonce(
  request: FastifyRequest,
  reply: FastifyReply,
  settings: BrowserCookies,
  options: { renew?: boolean } = {},
): string {
  const current = readCookies(request)[settings.names.csrf]
  if (!options.renew && current !== undefined && NONCE_PATTERN.test(current)) return current
  const nonce = randomBytes(18).toString('base64url')
  void reply.header(
    'set-cookie',
    stringifySetCookie(settings.names.csrf, nonce, cookieOptions(settings)),
  )
  return nonce
}

export function formToken(auth: Auth, nonce: string): string {
  return csrfTokenFor(auth, `ui-form:${nonce}`)
}

/** Whether a posted form carries the token of this browser's nonce. */
export function checkFormToken(
  auth: Auth,
  request: FastifyRequest,
  settings: BrowserCookies,
  presented: unknown,
): boolean {
  const nonce = readCookies(request)[settings.names.csrf]
  if (nonce === undefined || !NONCE_PATTERN.test(nonce) || typeof presented !== 'string')
    return false
  return checkCsrfToken(auth, `ui-form:${nonce}`, presented)
}

/**
 * Browsers say where a request comes from: a form posted by another site (or a sibling
 * subdomain) is refused before its token is even looked at. `Sec-Fetch-Site` decides when
 * present (page scripts cannot forge it). `Origin` is the fallback for older browsers; it
 * is `null` on our own forms, because `Referrer-Policy: no-referrer` hides it, and then
 * proves nothing either way: the CSRF token still must.
 */
export function isCrossOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site']
  if (site !== undefined) return site !== 'same-origin' && site !== 'none'
  const origin = request.headers.origin
  if (origin === undefined || origin === 'null') return false
  return origin !== `${request.protocol}://${request.host}`
}
