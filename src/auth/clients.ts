import { GatehouseError } from '../errors/index.js'
import { newId } from '../ids.js'
import type { OAuthClientRecord } from '../store/store.js'
import { issueAccessToken } from '../tokens/access-token.js'
import { safeEqual } from '../tokens/derive-key.js'
import {
  generateChecksummedSecret,
  hashOpaqueToken,
  hasValidChecksum,
  TOKEN_PREFIXES,
} from '../tokens/opaque-token.js'
import { actorId, assertFreshActor, type Actor } from './actor.js'
import { recordAudit } from './audit.js'
import { normalizeDisplayName } from './display-name.js'
import type { AuthDeps, RequestContext } from './deps.js'
import { paginate, type Page, type PageRequest } from './pagination.js'
import { revokeSubjectUntilNow } from './revocation.js'
import { narrowScopes, normalizeScopes } from './scopes.js'

/** An authenticated client as routes and use cases see it: never its secret's hash. */
export type OAuthClient = Omit<OAuthClientRecord, 'secretHash'>

export interface ClientView {
  clientId: string
  name: string
  scopes: string[]
  introspect: boolean
  createdAt: number
}

export interface CreatedClient extends ClientView {
  /** Shown this once; only its hash is kept. */
  clientSecret: string
}

export interface CreateClientInput {
  name: string
  scopes: readonly string[]
  /** May call the introspection endpoint (RFC 7662). Default false. */
  introspect?: boolean | undefined
}

export async function createClient(
  deps: AuthDeps,
  input: CreateClientInput,
  context: RequestContext,
  actor: Actor,
): Promise<CreatedClient> {
  assertFreshActor(actor)
  const name = normalizeDisplayName(input.name)
  const secret = generateChecksummedSecret(TOKEN_PREFIXES.clientSecret)
  const client: OAuthClientRecord = {
    id: newId(),
    name,
    secretHash: hashOpaqueToken(secret),
    scopes: normalizeScopes(input.scopes),
    createdAt: deps.clock.now(),
    introspect: input.introspect === true,
  }
  await deps.store.clients.insert(client)
  await recordAudit(deps, 'client_created', context, actorId(actor), {
    client_id: client.id,
    name,
    introspect: client.introspect,
  })
  return { ...toClientView(client), clientSecret: secret }
}

export function listClients(deps: AuthDeps, request: PageRequest): Promise<Page<ClientView>> {
  return paginate(
    request,
    (page) => deps.store.clients.list(page),
    (client) => ({ at: client.createdAt, id: client.id }),
    toClientView,
  )
}

/** Deletes a client; the tokens it already holds stop working at once. */
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
  await recordAudit(deps, 'client_deleted', context, actorId, { client_id: clientId })
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
  if (!client || !plausible || !safeEqual(client.secretHash, hashOpaqueToken(clientSecret))) {
    await recordAudit(deps, 'client_auth_failure', context, null, {
      client_id: clientId.slice(0, MAX_LOGGED_CLIENT_ID),
      reason: client ? 'wrong_secret' : 'unknown_client',
    })
    throw new GatehouseError('invalid_client')
  }
  const { secretHash: _secretHash, ...authenticated } = client
  return authenticated
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
  const scopes = narrowScopes(requestedScopes, client.scopes)
  const { token } = await issueAccessToken(
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
  return {
    clientId: client.id,
    name: client.name,
    scopes: client.scopes,
    introspect: client.introspect,
    createdAt: client.createdAt,
  }
}
