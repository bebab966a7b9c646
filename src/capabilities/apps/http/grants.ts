import Type from 'typebox'
import { ErrorBody, PageQuery } from '../../../http/schemas/common.js'
import {
  bearerAuth,
  iso,
  principalOf,
  requestContext,
  type GatehouseInstance,
  type RouteDeps,
} from '../../../http/route-deps.js'
import { listGrants, withdrawGrant } from '../auth/grants.js'
import { GrantList, GrantParams } from './grants-schemas.js'

/** The apps the caller consented to: GET /me/grants and DELETE /me/grants/{client_id}. */
export function grantRoutes(app: GatehouseInstance, deps: RouteDeps): void {
  app.get(
    '/me/grants',
    {
      onRequest: deps.required({ allowApiKeys: false, allowClients: false }),
      schema: {
        summary: 'Apps the user consented to, with the scopes granted, newest first',
        tags: ['account'],
        security: bearerAuth,
        querystring: PageQuery,
        response: { 200: GrantList, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => {
      const page = await listGrants(deps.auth, principalOf(request), request.query)
      return {
        items: page.items.map((grant) => ({
          client_id: grant.clientId,
          client_name: grant.clientName,
          scopes: grant.scopes,
          created_at: iso(grant.createdAt),
          updated_at: iso(grant.updatedAt),
        })),
        next_cursor: page.nextCursor,
      }
    },
  )

  app.delete(
    '/me/grants/:client_id',
    {
      onRequest: deps.required({ allowApiKeys: false, allowClients: false }),
      schema: {
        summary: 'Withdraw consent to an app; its sessions and tokens for the user end now',
        tags: ['account'],
        security: bearerAuth,
        params: GrantParams,
        response: { 204: Type.Null(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      await withdrawGrant(
        deps.auth,
        principalOf(request),
        request.params.client_id,
        requestContext(request),
      )
      return reply.code(204).send(null)
    },
  )
}
