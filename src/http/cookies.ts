import { parseCookie, stringifySetCookie, type SerializeOptions } from 'cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { TokenPair } from '../capabilities/sessions/index.js'

/** Flask-JWT-Extended's cookie names, so browser clients migrating from it keep working. */
export const COOKIE_NAMES = {
  access: 'access_token_cookie',
  refresh: 'refresh_token_cookie',
  csrfAccess: 'csrf_access_token',
  csrfRefresh: 'csrf_refresh_token',
} as const

export const CSRF_HEADER = 'x-csrf-token'

export interface CookieSettings {
  secure: boolean
  sameSite: 'lax' | 'strict' | 'none'
  /** Path of the refresh endpoint, where the refresh cookies are scoped. */
  refreshPath: string
}

export interface CsrfTokens {
  access: string
  refresh: string
}

/**
 * Sets the token cookies: the tokens themselves HttpOnly (scripts cannot read them), the
 * CSRF tokens readable (the page's script copies one into X-CSRF-Token). The refresh
 * cookies are scoped to the refresh path so they travel with no other request.
 */
export function setTokenCookies(
  reply: FastifyReply,
  pair: TokenPair,
  csrf: CsrfTokens,
  settings: CookieSettings,
): void {
  const base = { secure: settings.secure, sameSite: settings.sameSite } as const
  const access: SerializeOptions = { ...base, path: '/', maxAge: pair.expiresIn }
  const refresh: SerializeOptions = {
    ...base,
    path: settings.refreshPath,
    maxAge: pair.refreshExpiresIn,
  }
  void reply.header('set-cookie', [
    stringifySetCookie(COOKIE_NAMES.access, pair.accessToken, { ...access, httpOnly: true }),
    stringifySetCookie(COOKIE_NAMES.csrfAccess, csrf.access, { ...access, httpOnly: false }),
    stringifySetCookie(COOKIE_NAMES.refresh, pair.refreshToken, { ...refresh, httpOnly: true }),
    stringifySetCookie(COOKIE_NAMES.csrfRefresh, csrf.refresh, { ...refresh, httpOnly: false }),
  ])
}

export function clearTokenCookies(reply: FastifyReply, settings: CookieSettings): void {
  const gone = { secure: settings.secure, sameSite: settings.sameSite, expires: new Date(0) }
  const atRoot = { ...gone, path: '/' }
  const atRefresh = { ...gone, path: settings.refreshPath }
  void reply.header('set-cookie', [
    stringifySetCookie(COOKIE_NAMES.access, '', atRoot),
    stringifySetCookie(COOKIE_NAMES.csrfAccess, '', atRoot),
    stringifySetCookie(COOKIE_NAMES.refresh, '', atRefresh),
    stringifySetCookie(COOKIE_NAMES.csrfRefresh, '', atRefresh),
  ])
}

/**
 * One cookie of the request. Parsed on demand (only requests without an Authorization
 * header get here) rather than by a hook on every request.
 */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie
  return header === undefined || header === '' ? undefined : parseCookie(header)[name]
}

/** The binding of a refresh token's CSRF token (distinct from any access token jti). */
export function refreshCsrfBinding(refreshToken: string): string {
  return `refresh:${refreshToken}`
}
