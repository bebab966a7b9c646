import Type from 'typebox'
import type { GatehouseInstance, RouteDeps } from './context.js'

const Jwks = Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) })

/**
 * RFC 7517 JWKS and RFC 8414 metadata. Resource servers cache both; the JWKS already holds
 * the next signing key, so a short max-age is not needed to pick up a rotation.
 */
export function wellKnownRoutes(app: GatehouseInstance, deps: RouteDeps): void {
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        summary: 'Public signing keys (RFC 7517)',
        tags: ['discovery'],
        response: { 200: Jwks },
      },
    },
    (_request, reply) => {
      void reply.header('cache-control', 'public, max-age=300')
      return deps.auth.jwks()
    },
  )

  app.get(
    '/.well-known/oauth-authorization-server',
    {
      schema: {
        summary: 'Authorization server metadata (RFC 8414)',
        tags: ['discovery'],
        response: { 200: Type.Record(Type.String(), Type.Unknown()) },
      },
    },
    (_request, reply) => {
      void reply.header('cache-control', 'public, max-age=300')
      return {
        issuer: deps.issuer,
        jwks_uri: `${deps.issuer}/.well-known/jwks.json`,
        // No authorization endpoint: Gatehouse is an API login server, not a browser
        // redirect flow, so there are no response types (RFC 8414 §2 requires the member).
        response_types_supported: [],
        grant_types_supported: [],
        scopes_supported: ['data:read'],
        access_token_signing_alg_values_supported: deps.auth.algorithms,
      }
    },
  )
}
