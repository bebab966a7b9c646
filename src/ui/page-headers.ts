import type { FastifyReply } from 'fastify'

/**
 * Scripts and styles only from our own files (no inline code, no eval), forms posting only
 * to us, and no framing: a page that reflects a value can still not run it.
 */
export const PAGE_CSP = pageCsp([])

/**
 * The pages' policy; `formTargets` are origins (or a native app's scheme) that a form's
 * answer may redirect to. Browsers apply `form-action` to every redirect after a form is
 * posted, so a sign-in or consent that ends at an app must name the app's redirect origin.
 */
export function pageCsp(formTargets: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    ["form-action 'self'", ...formTargets].join(' '),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ')
}

/** Lets this page's forms end at an app's redirect URI (see `pageCsp`). */
export function allowFormTarget(reply: FastifyReply, target: string): void {
  void reply.header('content-security-policy', pageCsp([target]))
}

/** Every answer of the pages: HTML, redirects and errors alike. */
export function setPageHeaders(reply: FastifyReply): void {
  void reply.headers({
    'content-security-policy': PAGE_CSP,
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': 'no-store',
  })
}

/** The hashed assets: the same name always has the same content. */
export const IMMUTABLE = 'public, max-age=31536000, immutable'
