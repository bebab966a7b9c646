import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import type { VNode } from 'preact'
import { renderToString } from 'preact-render-to-string'
import type { Auth, Principal } from '../auth/context.js'
import { ADMIN_ROLE } from '../auth/rbac.js'
import { GatehouseError } from '../errors/index.js'
import { toErrorResponse } from '../http/error-handler.js'
import { hasRoles } from '../permissions.js'
import type { Assets } from './assets.js'
import type { RequestContext } from '../auth/deps.js'
import { logout, type TokenPair } from '../capabilities/sessions/index.js'
import {
  ensureCsrfNonce,
  formToken,
  setSessionCookies,
  type BrowserCookies,
} from './browser-session.js'
import type { Messages } from './messages.js'
import type { FieldErrors, FormState } from './views/components.js'
import type { PageContext } from './views/context.js'

/** What the page routes receive: the use cases' context and the pages' settings. */
export interface PageDeps {
  auth: Auth
  /** The pages' root path: `/ui`, or `/auth/ui` under a plugin prefix. */
  root: string
  /** Where the authorization and logout endpoints are: `/oauth`, or `/auth/oauth`. */
  oauthRoot: string
  product: string
  t: Messages
  assets: Assets
  cookies: BrowserCookies
  limitByIp: (request: FastifyRequest) => Promise<void>
  /** This browser's CSRF nonce, read or set once per request. */
  nonceOf(request: FastifyRequest, reply: FastifyReply, options?: { renew?: boolean }): string
}

/** One nonce per request, however many times a page asks for it. */
export function createNonceMemo(cookies: BrowserCookies): PageDeps['nonceOf'] {
  const nonces = new WeakMap<FastifyRequest, string>()
  return (request, reply, options = {}) => {
    const known = nonces.get(request)
    if (known !== undefined && !options.renew) return known
    const nonce = ensureCsrfNonce(request, reply, cookies, options)
    nonces.set(request, nonce)
    return nonce
  }
}

export function pageContext(
  deps: PageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  section: PageContext['section'],
): PageContext {
  const principal = request.principal
  return {
    t: deps.t,
    product: deps.product,
    root: deps.root,
    assets: {
      stylesheet: `${deps.root}/${deps.assets.stylesheet.path}`,
      script: `${deps.root}/${deps.assets.script.path}`,
      webauthn: `${deps.root}/${deps.assets.webauthn.path}`,
    },
    csrf: formToken(deps.auth, deps.nonceOf(request, reply)),
    user: principal
      ? { username: principal.username ?? principal.sub, admin: isAdmin(principal) }
      : null,
    section,
  }
}

export const isAdmin = (principal: Principal): boolean => hasRoles(principal, [ADMIN_ROLE])

/**
 * Whether the person holds a role of GATEHOUSE_MFA_REQUIRED_ROLES without having signed in
 * with a second factor: that role's pages send them to set one up (or to sign in with it).
 */
export function lacksRequiredSecondFactor(deps: PageDeps, principal: Principal): boolean {
  const required = deps.auth.settings.mfaRequiredRoles
  return (
    principal.roles.some((role) => required.includes(role)) &&
    !(principal.amr ?? []).includes('mfa')
  )
}

export function sendPage(reply: FastifyReply, status: number, page: VNode): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html>${renderToString(page)}`)
}

/** Post/redirect/get: 303 makes the browser GET the next page. */
export function redirect(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).send()
}

/**
 * A sign-in finished (password, second step, passkey, new account): this browser's session
 * becomes the new one, replacing any earlier one instead of leaving it open, with a new
 * CSRF nonce, and the browser goes on to `location`.
 */
export async function enterBrowserSession(
  deps: PageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  pair: TokenPair,
  context: RequestContext,
  location: string,
): Promise<FastifyReply> {
  if (request.principal) await logout(deps.auth, request.principal, 'local', context)
  setSessionCookies(reply, pair, deps.cookies)
  deps.nonceOf(request, reply, { renew: true })
  return redirect(reply, location)
}

/** The status and text a failed action shows: the same catalogue as the JSON API. */
export function describeError(error: unknown): {
  status: number
  message: string
  retryAfter: string | undefined
} {
  const response = toErrorResponse(error)
  return {
    status: response.status,
    message: response.body.msg,
    retryAfter: response.headers['retry-after'],
  }
}

/** A use case's error as a form's state: next to the field it concerns, if any. */
export function formStateOf(
  error: unknown,
  fieldOf: Partial<Record<string, string>>,
  values: Partial<Record<string, string>> = {},
): { status: number; state: FormState; retryAfter: string | undefined } {
  const { status, message, retryAfter } = describeError(error)
  const code = error instanceof GatehouseError ? error.code : 'internal_error'
  const field = fieldOf[code]
  const fields: FieldErrors | undefined = field ? { [field]: message } : undefined
  const state = field ? { fields, values } : { error: message, values }
  return { status, state, retryAfter }
}

/**
 * A failed action of a signed-in page: back to sign-in (and then to `back`) when it needs
 * a fresh login, else `show` renders the page again with the error.
 */
export function showFailure(
  deps: PageDeps,
  reply: FastifyReply,
  error: unknown,
  back: string,
  show: (status: number, state: FormState) => unknown,
  fields: Partial<Record<string, string>> = {},
  values: Partial<Record<string, string>> = {},
): unknown {
  if (isStale(error)) return redirect(reply, signInUrl(deps, back, 'reauthenticate'))
  const { status, state } = formStateOf(error, fields, values)
  return show(status, state)
}

/** The signed-in person of a page that needs one, else a trip to the sign-in page. */
export function requirePrincipal(
  deps: PageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Principal | null {
  if (request.principal) return request.principal
  // After signing in, come back to the page; a form's address is no page to come back to.
  void redirect(reply, signInUrl(deps, request.method === 'GET' ? request.url : undefined))
  return null
}

export function signInUrl(deps: PageDeps, returnTo?: string, done?: string): string {
  const query = new URLSearchParams()
  if (returnTo) query.set('return_to', returnTo)
  if (done) query.set('done', done)
  const text = query.toString()
  return `${deps.root}/sign-in${text ? `?${text}` : ''}`
}

/**
 * Actions that create credentials or grant power need a recent password (as in the JSON
 * API); the pages send the person to sign in again and back.
 */
export function isStale(error: unknown): boolean {
  return (
    error instanceof GatehouseError &&
    (error.code === 'fresh_token_required' || error.code === 'mfa_required')
  )
}

/** The query of a page opened from a mailed link. */
export const LinkQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 256 })) })

/**
 * A page opened from a mailed link shows its form and spends nothing (mail scanners open
 * links too); without a token it says so, with 400.
 */
export function sendLinkPage(
  reply: FastifyReply,
  token: string | undefined,
  page: (token: string | null) => VNode,
): FastifyReply {
  return sendPage(reply, token ? 200 : 400, page(token ?? null))
}
