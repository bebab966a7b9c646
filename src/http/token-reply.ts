import { csrfTokenFor, type TokenPair } from '../capabilities/sessions/index.js'
import type { FastifyReply } from 'fastify'
import { refreshCsrfBinding, setTokenCookies } from './cookies.js'
import { NO_STORE, type RouteDeps } from './route-deps.js'

/**
 * Replies with a new token pair: in the body (the seed's shape), or as cookies when the
 * client asked for cookie transport, in which case the body carries no token.
 */
export function sendTokenPair(
  reply: FastifyReply,
  deps: RouteDeps,
  pair: TokenPair,
  useCookies: boolean,
  message: string,
) {
  void reply.headers(NO_STORE)
  if (useCookies) {
    setTokenCookies(
      reply,
      pair,
      {
        access: csrfTokenFor(deps.auth, pair.accessTokenId),
        refresh: csrfTokenFor(deps.auth, refreshCsrfBinding(pair.refreshToken)),
      },
      deps.cookies,
    )
    return reply.send({ msg: message, expires_in: pair.expiresIn })
  }
  return reply.send({
    access_token: pair.accessToken,
    refresh_token: pair.refreshToken,
    token_type: 'Bearer' as const,
    expires_in: pair.expiresIn,
  })
}
