import { createApiKey, listApiKeys, revokeApiKey } from '../auth/api-keys.js'
import Type from 'typebox'
import type { ApiKeyView } from '../auth/api-keys.js'
import { ApiKeyList, CreateApiKeyBody, CreatedApiKey } from './api-keys-schemas.js'
import { ErrorBody, IdParams, PageQuery } from '../../../http/schemas/common.js'
import {
  iso,
  NO_STORE,
  principalOf,
  requestContext,
  type GatehouseInstance,
  type RouteDeps,
  bearerAuth,
} from '../../../http/route-deps.js'

const nullableIso = (value: number | null) => (value === null ? null : iso(value))

/** The caller's API keys: create (fresh login required), list, revoke. */
export function apiKeyRoutes(app: GatehouseInstance, deps: RouteDeps): void {
  const userOnly = deps.required({ allowApiKeys: false, allowClients: false })

  app.post(
    '/api-keys',
    {
      onRequest: deps.required({ allowApiKeys: false, allowClients: false, fresh: true }),
      schema: {
        summary: 'Create an API key (fresh login required); the key is shown once',
        tags: ['api keys'],
        security: bearerAuth,
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKey, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      const { name, scopes, expires_in } = request.body
      const created = await createApiKey(
        deps.auth,
        principalOf(request),
        { name, scopes, expiresIn: expires_in },
        requestContext(request),
      )
      return reply
        .code(201)
        .headers(NO_STORE)
        .send({
          id: created.id,
          key: created.key,
          name: created.name,
          scopes: created.scopes,
          created_at: iso(created.createdAt),
          expires_at: nullableIso(created.expiresAt),
        })
    },
  )

  app.get(
    '/api-keys',
    {
      onRequest: userOnly,
      schema: {
        summary: 'Your API keys, newest first, without secrets',
        tags: ['api keys'],
        security: bearerAuth,
        querystring: PageQuery,
        response: { 200: ApiKeyList, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => {
      const page = await listApiKeys(deps.auth, principalOf(request), request.query)
      return { items: page.items.map(toApiKeyItem), next_cursor: page.nextCursor }
    },
  )

  app.delete(
    '/api-keys/:id',
    {
      onRequest: userOnly,
      schema: {
        summary: 'Revoke one of your API keys',
        tags: ['api keys'],
        security: bearerAuth,
        params: IdParams,
        response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      await revokeApiKey(
        deps.auth,
        principalOf(request),
        request.params.id,
        requestContext(request),
      )
      return reply.code(204).send(null)
    },
  )
}

function toApiKeyItem(key: ApiKeyView) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    last4: key.last4,
    scopes: key.scopes,
    created_at: iso(key.createdAt),
    last_used_at: nullableIso(key.lastUsedAt),
    expires_at: nullableIso(key.expiresAt),
  }
}
