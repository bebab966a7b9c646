import type { FastifyRequest } from 'fastify'
import { authenticateClient, identifyPublicClient, type OAuthClient } from '../auth/clients.js'
import { GatehouseError } from '../../../errors/index.js'
import { requestContext, type RouteDeps } from '../../../http/route-deps.js'

/**
 * OAuth client authentication (RFC 6749 §2.3) for the endpoints that take it: the
 * credentials parsed from a Basic header or the form, checked by the use case.
 */
interface ClientParameters {
  client_id?: string | undefined
  client_secret?: string | undefined
}

export async function requireCaller(
  request: FastifyRequest,
  body: ClientParameters,
  deps: RouteDeps,
): Promise<OAuthClient> {
  const client = await authenticateCaller(request, body, deps)
  if (!client) throw new GatehouseError('invalid_client', 'Client authentication is required')
  return client
}

/**
 * client_secret_basic (RFC 6749 §2.3.1: form-encoded id and secret in Basic),
 * client_secret_post, or a public client's bare `client_id` (§2.1, `none`). Using two at
 * once is refused, as §2.3 requires.
 */
export async function authenticateCaller(
  request: FastifyRequest,
  body: ClientParameters,
  deps: RouteDeps,
): Promise<OAuthClient | undefined> {
  const basic = parseBasic(request.headers.authorization)
  const posted = body.client_id !== undefined || body.client_secret !== undefined
  if (basic && posted) {
    throw new GatehouseError('invalid_request', 'Use one client authentication method, not two')
  }
  let secret: { id: string; secret: string; method: SecretMethod } | undefined
  if (basic) {
    secret = { ...basic, method: 'client_secret_basic' }
  } else if (posted) {
    if (body.client_id === undefined) {
      throw new GatehouseError('invalid_client', 'client_secret without client_id')
    }
    if (body.client_secret === undefined) {
      return identifyPublicClient(deps.auth, body.client_id, requestContext(request))
    }
    secret = { id: body.client_id, secret: body.client_secret, method: 'client_secret_post' }
  }
  if (secret === undefined) return undefined
  const client = await authenticateClient(
    deps.auth,
    secret.id,
    secret.secret,
    requestContext(request),
  )
  return asRegistered(client, secret.method)
}

type SecretMethod = 'client_secret_basic' | 'client_secret_post'

/**
 * An app authenticates the way it registered (`token_endpoint_auth_method`, RFC 7591
 * §2): a client_secret_post app may not use Basic, nor the reverse, so a secret that
 * leaks through a channel the app never uses is worth less. Clients for client
 * credentials alone (machines) may send their secret either way, as the machine-access
 * contract has always said.
 */
function asRegistered(client: OAuthClient, used: SecretMethod): OAuthClient {
  const app = client.grantTypes.some((grant) => grant !== 'client_credentials')
  if (app && client.tokenEndpointAuthMethod !== used) {
    throw new GatehouseError(
      'invalid_client',
      `This client registered ${client.tokenEndpointAuthMethod}; authenticate that way`,
    )
  }
  return client
}

function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  if (header === undefined) return undefined
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header)
  if (!match?.[1]) throw new GatehouseError('invalid_client', 'Malformed Basic authorization')
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) throw new GatehouseError('invalid_client', 'Malformed Basic authorization')
  try {
    return {
      id: decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' ')),
    }
  } catch {
    throw new GatehouseError('invalid_client', 'Malformed Basic authorization')
  }
}
