import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import { hasRoles, hasScopes } from '../auth/rbac.js'
import { authenticate, checkCsrfToken, isFirstPartyToken } from '../capabilities/sessions/index.js'
import type { Auth, Principal } from '../auth/context.js'
import { parseBearerHeader } from '../bearer.js'
import { GatehouseError } from '../errors/index.js'
import type { TelemetrySink } from '../auth/telemetry.js'
import { COOKIE_NAMES, CSRF_HEADER, readCookie } from './cookies.js'
import { sendError } from './error-handler.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified access token, set by a Gatehouse guard; null on unguarded routes. */
    principal: Principal | null
  }
}

export interface RequiredOptions {
  /** Every one of these roles is needed (403 otherwise). */
  roles?: readonly string[]
  /** Every one of these scopes is needed (403 otherwise). */
  scopes?: readonly string[]
  /** Only a token from a password login, not from a refresh (401 otherwise). */
  fresh?: boolean
  /** Admit API keys (default true); account and session routes need a user's own token. */
  allowApiKeys?: boolean
  /**
   * Admit tokens an OAuth client holds for itself (client credentials, `sub` = `client_id`)
   * or for a user (an app's token from the authorization code flow). Default true; false
   * on routes that act for a person (`/me`, `/sessions`, `/api-keys`, `/logout`), which
   * answer such tokens 403.
   */
  allowClients?: boolean
  /** `msg` of the 403, e.g. the tutorial's "Admins only!". */
  forbiddenMessage?: string
}

/** Methods that change state, for which a cookie-authenticated request needs CSRF proof. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

interface Credential {
  token: string
  /** Sent by the browser on its own, so it needs CSRF proof on unsafe methods. */
  viaCookie: boolean
}

/**
 * The request's access token: the Authorization header wins; without one, the access
 * cookie. Throws when neither is there or the header is malformed.
 */
function extractCredential(request: FastifyRequest): Credential {
  const header = request.headers.authorization
  const apiKey = request.headers['x-api-key']
  if ((header === undefined || header === '') && typeof apiKey === 'string' && apiKey !== '') {
    return { token: apiKey, viaCookie: false }
  }
  if (header === undefined || header === '') {
    const cookie = readCookie(request, COOKIE_NAMES.access)
    if (cookie) return { token: cookie, viaCookie: true }
  }
  return { token: parseBearerHeader(header), viaCookie: false }
}

/**
 * An onRequest hook that admits a request only with a valid, unrevoked access token holding the
 * given roles and scopes. It answers errors itself (not by throwing) so that they have the
 * same body and headers on routes of an application whose error handler we do not
 * control. Verification is synchronous for a token seen before: no promise on the hot path.
 */
export function createRequiredGuard(
  auth: Auth,
  telemetry: TelemetrySink,
  options: RequiredOptions = {},
): onRequestHookHandler {
  const roles = options.roles ?? []
  const scopes = options.scopes ?? []
  // GATEHOUSE_MFA_REQUIRED_ROLES: these roles' powers need a login that passed a second factor.
  const stepUp = roles.some((role) => auth.settings.mfaRequiredRoles.includes(role))

  function admit(
    request: FastifyRequest,
    reply: FastifyReply,
    done: (error?: Error) => void,
    principal: Principal,
    viaCookie: boolean,
  ): void {
    let refusal: GatehouseError | undefined
    if (viaCookie && !SAFE_METHODS.has(request.method)) {
      const presented = request.headers[CSRF_HEADER]
      if (typeof presented !== 'string' || !checkCsrfToken(auth, principal.jti, presented)) {
        refusal = new GatehouseError('csrf_failed')
      }
    }
    if (!refusal && options.allowApiKeys === false && principal.kind === 'api_key') {
      refusal = new GatehouseError(
        'insufficient_scope',
        'API keys cannot be used here; use an access token from a login',
      )
    }
    if (!refusal && options.allowClients === false && principal.kind === 'client') {
      refusal = new GatehouseError(
        'insufficient_scope',
        'This route acts for a person; a client token cannot be used here',
      )
    }
    // An app's token for a user (authorization code flow) reaches the APIs its scopes
    // name, never the account itself: no app changes a password or makes an API key.
    if (
      !refusal &&
      options.allowClients === false &&
      principal.client_id !== undefined &&
      !isFirstPartyToken(principal)
    ) {
      refusal = new GatehouseError(
        'insufficient_scope',
        "This route manages the user's account; an app's token cannot be used here",
      )
    }
    if (!refusal && options.fresh && !principal.fresh) {
      refusal = new GatehouseError('fresh_token_required')
    }
    if (!refusal && (!hasRoles(principal, roles) || !hasScopes(principal, scopes))) {
      refusal = new GatehouseError('insufficient_scope', options.forbiddenMessage)
    }
    if (!refusal && stepUp && !(principal.amr ?? []).includes('mfa')) {
      refusal = new GatehouseError(
        'mfa_required',
        'This role needs a sign-in with a second factor; set one up on your account if you have none',
      )
    }
    if (refusal) {
      sendError(request, reply, refusal)
      return
    }
    request.principal = principal
    // Answers to an authenticated request are for its caller only (RFC 9111 §5.2.2.5).
    void reply.header('cache-control', 'no-store')
    done()
  }

  function refuse(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
    if (error instanceof GatehouseError) telemetry.credentialRefused(error.code)
    sendError(request, reply, error)
  }

  return function requireAccessToken(request, reply, done) {
    let credential: Credential
    let verified: Principal | Promise<Principal>
    try {
      credential = extractCredential(request)
      verified = authenticate(auth, credential.token)
    } catch (error) {
      refuse(request, reply, error)
      return
    }
    if (verified instanceof Promise) {
      verified.then(
        (principal) => admit(request, reply, done, principal, credential.viaCookie),
        (error: unknown) => refuse(request, reply, error),
      )
    } else {
      admit(request, reply, done, verified, credential.viaCookie)
    }
  }
}
