import { GatehouseError } from '../../../errors/index.js'
import { newId } from '../../../ids.js'
import type {
  GrantType,
  IdTokenAlgorithm,
  OAuthClientRecord,
  TokenEndpointAuthMethod,
} from '../../../store/store.js'
import { issueAccessToken } from '../../../tokens/access-token.js'
import { safeEqual } from '../../../tokens/derive-key.js'
import {
  generateChecksummedSecret,
  hashOpaqueToken,
  hasValidChecksum,
  TOKEN_PREFIXES,
} from '../../../tokens/opaque-token.js'
import { actorId, assertFreshActor, type Actor } from '../../../auth/actor.js'
import { recordAudit } from '../../../auth/audit.js'
import { normalizeDisplayName } from '../../../auth/display-name.js'
import type { AuthDeps, RequestContext } from '../../../auth/deps.js'
import { paginate, type Page, type PageRequest } from '../../../auth/pagination.js'
import { revokeSessionTokens, revokeSubjectUntilNow } from '../../sessions/index.js'
import { narrowScopes, normalizeScopes } from './scopes.js'
import { normalizeRedirectUris } from './redirect-uris.js'

/** An authenticated client as routes and use cases see it: never its secret's hash. */
export type OAuthClient = Omit<OAuthClientRecord, 'secretHash'>

/** A client as the admin API shows it: its registration, never its secret's hash. */
export type ClientView = Omit<OAuthClientRecord, 'id' | 'secretHash'> & { clientId: string }

export interface CreatedClient extends ClientView {
  /** Shown this once; only its hash is kept. Null for a public client (it has none). */
  clientSecret: string | null
}

export const GRANT_TYPES: readonly GrantType[] = [
  'client_credentials',
  'authorization_code',
  'refresh_token',
]
export const TOKEN_ENDPOINT_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'none',
]
export const ID_TOKEN_ALGORITHMS: readonly IdTokenAlgorithm[] = ['RS256', 'ES256', 'EdDSA']

export interface CreateClientInput {
  name: string
  scopes: readonly string[]
  /** May call the introspection endpoint (RFC 7662). Default false. */
  introspect?: boolean | undefined
  redirectUris?: readonly string[] | undefined
  postLogoutRedirectUris?: readonly string[] | undefined
  /** Default: the code flow with refresh when redirect URIs are given, else client credentials. */
  grantTypes?: readonly string[] | undefined
  /** Default `client_secret_basic`; `none` makes a public client (no secret). */
  tokenEndpointAuthMethod?: string | undefined
  skipConsent?: boolean | undefined
  idTokenAlg?: string | undefined
}

export async function createClient(
  deps: AuthDeps,
  input: CreateClientInput,
  context: RequestContext,
  actor: Actor,
): Promise<CreatedClient> {
  assertFreshActor(actor)
  const name = normalizeDisplayName(input.name)
  const registration = clientRegistration(input)
  const secret =
    registration.tokenEndpointAuthMethod === 'none'
      ? null
      : generateChecksummedSecret(TOKEN_PREFIXES.clientSecret)
  const client: OAuthClientRecord = {
    id: newId(),
    name,
    secretHash: secret === null ? null : hashOpaqueToken(secret),
    scopes: normalizeScopes(input.scopes),
    createdAt: deps.clock.now(),
    introspect: input.introspect === true,
    ...registration,
  }
  if (client.introspect && secret === null) {
    throw new GatehouseError('invalid_request', 'A public client cannot authenticate to introspect')
  }
  // The client's ID-token keys are published before its first ID token needs them.
  if (client.grantTypes.includes('authorization_code') && client.scopes.includes('openid')) {
    if (await deps.keyRing.ensureIdTokenRing(client.idTokenAlg)) {
      deps.bus.publish({ type: 'keys_changed' })
    }
  }
  await deps.store.clients.insert(client)
  await recordAudit(deps, 'client_created', context, actorId(actor), {
    client_id: client.id,
    name,
    introspect: client.introspect,
    grant_types: client.grantTypes,
    redirect_uris: client.redirectUris,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
  })
  return { ...toClientView(client), clientSecret: secret }
}

type Registration = Pick<
  OAuthClientRecord,
  | 'redirectUris'
  | 'postLogoutRedirectUris'
  | 'grantTypes'
  | 'tokenEndpointAuthMethod'
  | 'skipConsent'
  | 'idTokenAlg'
>

/** What a client registers for the code flow, checked together (RFC 7591 §2 semantics). */
function clientRegistration(input: CreateClientInput): Registration {
  const redirectUris = normalizeRedirectUris(input.redirectUris ?? [], 'redirect_uris')
  const postLogoutRedirectUris = normalizeRedirectUris(
    input.postLogoutRedirectUris ?? [],
    'post_logout_redirect_uris',
  )
  const grantTypes = oneOfEach(
    input.grantTypes ??
      (redirectUris.length > 0 ? ['authorization_code', 'refresh_token'] : ['client_credentials']),
    GRANT_TYPES,
    'grant_types',
  )
  const method = oneOf(
    input.tokenEndpointAuthMethod ?? 'client_secret_basic',
    TOKEN_ENDPOINT_AUTH_METHODS,
    'token_endpoint_auth_method',
  )
  const idTokenAlg = oneOf(
    input.idTokenAlg ?? 'RS256',
    ID_TOKEN_ALGORITHMS,
    'id_token_signed_response_alg',
  )
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0) {
    throw new GatehouseError('invalid_request', 'The authorization_code grant needs redirect_uris')
  }
  if (method === 'none' && grantTypes.includes('client_credentials')) {
    throw new GatehouseError(
      'invalid_request',
      'A public client (token_endpoint_auth_method none) cannot use client_credentials',
    )
  }
  return {
    redirectUris,
    postLogoutRedirectUris,
    grantTypes,
    tokenEndpointAuthMethod: method,
    skipConsent: input.skipConsent === true,
    idTokenAlg,
  }
}

function oneOf<T extends string>(value: string, allowed: readonly T[], field: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new GatehouseError('invalid_request', `${field} must be one of: ${allowed.join(', ')}`)
  }
  return value as T
}

function oneOfEach<T extends string>(
  values: readonly string[],
  allowed: readonly T[],
  field: string,
): T[] {
  if (values.length === 0) throw new GatehouseError('invalid_request', `${field} must not be empty`)
  return [...new Set(values.map((value) => oneOf(value, allowed, field)))]
}

export function listClients(deps: AuthDeps, request: PageRequest): Promise<Page<ClientView>> {
  return paginate(
    request,
    (page) => deps.store.clients.list(page),
    (client) => ({ at: client.createdAt, id: client.id }),
    toClientView,
  )
}

/**
 * Deletes a client; the tokens it already holds stop working at once: its own (client
 * credentials) and those it holds for users (its sessions, refresh and access tokens).
 */
export async function deleteClient(
  deps: AuthDeps,
  clientId: string,
  context: RequestContext,
  actorId: string | null,
): Promise<void> {
  if (!(await deps.store.clients.delete(clientId))) {
    throw new GatehouseError('not_found', 'No such client')
  }
  await revokeSubjectUntilNow(deps, clientId)
  const sessions = await deps.store.sessions.revokeAllForClient(clientId, deps.clock.now())
  await revokeSessionTokens(deps, sessions)
  await recordAudit(deps, 'client_deleted', context, actorId, {
    client_id: clientId,
    sessions_revoked: sessions.length,
  })
}

/** Client ids are ours (UUIDs); a longer one in the audit log is cut here. */
const MAX_LOGGED_CLIENT_ID = 64

/**
 * Checks client credentials. Every failure is the same `invalid_client`, and a wrong
 * secret is compared in constant time against the stored hash.
 */
export async function authenticateClient(
  deps: AuthDeps,
  clientId: string,
  clientSecret: string,
  context: RequestContext,
): Promise<OAuthClient> {
  const client = await deps.store.clients.findById(clientId)
  const plausible = hasValidChecksum(clientSecret, TOKEN_PREFIXES.clientSecret)
  if (
    !client ||
    !plausible ||
    client.secretHash === null ||
    !safeEqual(client.secretHash, hashOpaqueToken(clientSecret))
  ) {
    await recordAudit(deps, 'client_auth_failure', context, null, {
      client_id: clientId.slice(0, MAX_LOGGED_CLIENT_ID),
      reason: client ? 'wrong_secret' : 'unknown_client',
    })
    throw new GatehouseError('invalid_client')
  }
  const { secretHash: _secretHash, ...authenticated } = client
  return authenticated
}

/**
 * A public client (RFC 6749 §2.1) names itself with its `client_id` alone; only a client
 * registered with `token_endpoint_auth_method` `none` may. A confidential client that
 * leaves out its secret gets `invalid_client`.
 */
export async function identifyPublicClient(
  deps: AuthDeps,
  clientId: string,
  context: RequestContext,
): Promise<OAuthClient> {
  const client = await deps.store.clients.findById(clientId)
  if (!client || client.tokenEndpointAuthMethod !== 'none') {
    await recordAudit(deps, 'client_auth_failure', context, null, {
      client_id: clientId.slice(0, MAX_LOGGED_CLIENT_ID),
      reason: client ? 'secret_missing' : 'unknown_client',
    })
    throw new GatehouseError(
      'invalid_client',
      client ? 'This client must authenticate with its secret' : undefined,
    )
  }
  const { secretHash: _secretHash, ...identified } = client
  return identified
}

export interface ClientToken {
  accessToken: string
  expiresIn: number
  scope: string
}

/** RFC 6749 §4.4 client credentials: a token for the client itself (RFC 9068 claims). */
export async function issueClientToken(
  deps: AuthDeps,
  client: OAuthClient,
  requestedScopes: string[] | undefined,
  context: RequestContext,
): Promise<ClientToken> {
  if (!client.grantTypes.includes('client_credentials')) {
    throw new GatehouseError('unauthorized_client', 'This client may not use client_credentials')
  }
  const scopes = narrowScopes(requestedScopes, client.scopes)
  const { token } = issueAccessToken(
    deps.keyRing.signingKey(),
    { subject: client.id, clientId: client.id, roles: [], scopes, fresh: false },
    {
      issuer: deps.settings.issuer,
      audience: deps.settings.audience,
      ttl: deps.settings.accessTtl,
      clock: deps.clock,
    },
  )
  await recordAudit(deps, 'client_token_issued', context, null, {
    client_id: client.id,
    scope: scopes.join(' '),
  })
  return { accessToken: token, expiresIn: deps.settings.accessTtl, scope: scopes.join(' ') }
}

function toClientView(client: OAuthClientRecord): ClientView {
  const { id, secretHash: _secretHash, ...registration } = client
  return { clientId: id, ...registration }
}
