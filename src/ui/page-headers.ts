import type { FastifyReply } from 'fastify'

/**
 * Scripts and styles only from our own files (no inline code, no eval), forms posting only
 * to us, and no framing: a page that reflects a value can still not run it.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ')

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
