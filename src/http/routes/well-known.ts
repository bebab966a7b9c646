import { jwks } from '../../auth/signing-keys.js'
import Type from 'typebox'
import { DEFAULT_USER_SCOPES } from '../../auth/rbac.js'
import type { GatehouseInstance, RouteDeps } from '../route-deps.js'

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
      return jwks(deps.auth)
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
      const clientAuth = ['client_secret_basic', 'client_secret_post']
      return {
        issuer: deps.auth.settings.issuer,
        jwks_uri: `${deps.baseUrl}/.well-known/jwks.json`,
        token_endpoint: `${deps.baseUrl}/oauth/token`,
        token_endpoint_auth_methods_supported: clientAuth,
        introspection_endpoint: `${deps.baseUrl}/oauth/introspect`,
        introspection_endpoint_auth_methods_supported: clientAuth,
        revocation_endpoint: `${deps.baseUrl}/oauth/revoke`,
        revocation_endpoint_auth_methods_supported: clientAuth,
        grant_types_supported: ['client_credentials', 'refresh_token'],
        // No authorization endpoint: Gatehouse is an API login server, not a browser
        // redirect flow, so there are no response types (RFC 8414 §2 requires the member).
        response_types_supported: [],
        scopes_supported: DEFAULT_USER_SCOPES,
        // RFC 9068 access tokens: the algorithms resource servers must accept.
        access_token_signing_alg_values_supported: deps.auth.algorithms,
      }
    },
  )
}
