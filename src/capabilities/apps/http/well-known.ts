import { currentJwks } from '../../keys/index.js'
import Type from 'typebox'
import { DEFAULT_USER_SCOPES } from '../../../auth/rbac.js'
import { OIDC_SCOPES, SUPPORTED_CLAIMS } from '../auth/claims.js'
import { ID_TOKEN_ALGORITHMS } from '../../machine-access/index.js'
import type { GatehouseInstance, RouteDeps } from '../../../http/route-deps.js'

const Jwks = Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) })

/**
 * RFC 7517 JWKS and RFC 8414 metadata. Resource servers cache both; the JWKS already holds
 * the next signing key, so a short max-age is not needed to pick up a rotation.
 */
export function wellKnownRoutes(app: GatehouseInstance, deps: RouteDeps): void {
  // Public documents: browser apps (SPAs) may read them from any origin.
  const discovery = { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' }
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        summary: 'Public signing keys (RFC 7517)',
        tags: ['discovery'],
        response: { 200: Jwks },
      },
    },
    async (_request, reply) => {
      void reply.headers(discovery)
      return currentJwks(deps.auth)
    },
  )

  const metadata = () => serverMetadata(deps)
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
      void reply.headers(discovery)
      return metadata()
    },
  )
  app.get(
    '/.well-known/openid-configuration',
    {
      schema: {
        summary: 'OpenID Provider metadata (OpenID Connect Discovery 1.0 §3)',
        tags: ['discovery'],
        response: { 200: Type.Record(Type.String(), Type.Unknown()) },
      },
    },
    (_request, reply) => {
      void reply.headers(discovery)
      return metadata()
    },
  )
}

/**
 * One document for RFC 8414 and OIDC Discovery (the second is a superset). The endpoints
 * of the code flow are listed only where the hosted pages serve them.
 */
function serverMetadata(deps: RouteDeps): Record<string, unknown> {
  const base = deps.baseUrl
  const clientAuth = ['client_secret_basic', 'client_secret_post']
  const apps = deps.pages
  return {
    issuer: deps.auth.settings.issuer,
    ...(apps && {
      authorization_endpoint: `${base}/oauth/authorize`,
      end_session_endpoint: `${base}/oauth/logout`,
    }),
    token_endpoint: `${base}/oauth/token`,
    ...(apps && { userinfo_endpoint: `${base}/oauth/userinfo` }),
    jwks_uri: `${base}/.well-known/jwks.json`,
    // `none`: public clients (RFC 6749 §2.1) send only their client_id.
    token_endpoint_auth_methods_supported: [...clientAuth, 'none'],
    introspection_endpoint: `${base}/oauth/introspect`,
    introspection_endpoint_auth_methods_supported: clientAuth,
    revocation_endpoint: `${base}/oauth/revoke`,
    revocation_endpoint_auth_methods_supported: [...clientAuth, 'none'],
    grant_types_supported: apps
      ? ['authorization_code', 'refresh_token', 'client_credentials']
      : ['client_credentials', 'refresh_token'],
    // RFC 8414 §2 requires the member; without the pages there is no authorization endpoint.
    response_types_supported: apps ? ['code'] : [],
    response_modes_supported: ['query'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...ID_TOKEN_ALGORITHMS],
    scopes_supported: [...new Set([...OIDC_SCOPES, ...DEFAULT_USER_SCOPES])],
    claims_supported: SUPPORTED_CLAIMS,
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    // RFC 9068 access tokens: the algorithms resource servers must accept.
    access_token_signing_alg_values_supported: deps.auth.algorithms,
  }
}
