import type { CookieSerializeOptions } from '@fastify/cookie'
import type { FastifyReply } from 'fastify'
import type { TokenPair } from '../auth/token-pair.js'

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
  const access: CookieSerializeOptions = { ...base, path: '/', maxAge: pair.expiresIn }
  const refresh: CookieSerializeOptions = {
    ...base,
    path: settings.refreshPath,
    maxAge: pair.refreshExpiresIn,
  }
  void reply
    .setCookie(COOKIE_NAMES.access, pair.accessToken, { ...access, httpOnly: true })
    .setCookie(COOKIE_NAMES.csrfAccess, csrf.access, { ...access, httpOnly: false })
    .setCookie(COOKIE_NAMES.refresh, pair.refreshToken, { ...refresh, httpOnly: true })
    .setCookie(COOKIE_NAMES.csrfRefresh, csrf.refresh, { ...refresh, httpOnly: false })
}

export function clearTokenCookies(reply: FastifyReply, settings: CookieSettings): void {
  const base = { secure: settings.secure, sameSite: settings.sameSite } as const
  void reply
    .clearCookie(COOKIE_NAMES.access, { ...base, path: '/' })
    .clearCookie(COOKIE_NAMES.csrfAccess, { ...base, path: '/' })
    .clearCookie(COOKIE_NAMES.refresh, { ...base, path: settings.refreshPath })
    .clearCookie(COOKIE_NAMES.csrfRefresh, { ...base, path: settings.refreshPath })
}

/** The binding of a refresh token's CSRF token (distinct from any access token jti). */
export function refreshCsrfBinding(refreshToken: string): string {
  return `refresh:${refreshToken}`
}
