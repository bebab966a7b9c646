import type { FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify'
import { hasRoles, hasScopes } from '../auth/rbac.js'
import type { AuthService, Principal } from '../auth/service.js'
import { GatehouseError } from '../errors.js'
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
  /** `msg` of the 403, e.g. the tutorial's "Admins only!". */
  forbiddenMessage?: string
}

/** RFC 6750 §2.1 b64token; anything else in a Bearer header is not a token we issued. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

/** The bearer token of a request; throws when the header is missing or malformed. */
export function extractBearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization
  if (header === undefined || header === '') throw new GatehouseError('missing_token')
  const match = BEARER.exec(header)
  if (match?.[1] === undefined) {
    if (!/^Bearer\b/i.test(header)) {
      throw new GatehouseError(
        'missing_token',
        "Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'",
      )
    }
    throw new GatehouseError('invalid_token')
  }
  return match[1]
}

/**
 * A preHandler that admits a request only with a valid access token holding the given
 * roles and scopes. It answers errors itself (not by throwing) so that they have the same
 * body and headers on routes of an application whose error handler we do not control.
 * Verification is synchronous for a token seen before: no promise on the hot path.
 */
export function createRequiredGuard(
  auth: AuthService,
  options: RequiredOptions = {},
): preHandlerHookHandler {
  const roles = options.roles ?? []
  const scopes = options.scopes ?? []

  function admit(
    request: FastifyRequest,
    reply: FastifyReply,
    done: (error?: Error) => void,
    principal: Principal,
  ): void {
    if (!hasRoles(principal, roles) || !hasScopes(principal, scopes)) {
      sendError(request, reply, new GatehouseError('insufficient_scope', options.forbiddenMessage))
      return
    }
    request.principal = principal
    done()
  }

  return function requireAccessToken(request, reply, done) {
    let verified: Principal | Promise<Principal>
    try {
      verified = auth.authenticate(extractBearerToken(request))
    } catch (error) {
      sendError(request, reply, error)
      return
    }
    if (verified instanceof Promise) {
      verified.then(
        (principal) => admit(request, reply, done, principal),
        (error: unknown) => sendError(request, reply, error),
      )
    } else {
      admit(request, reply, done, verified)
    }
  }
}
