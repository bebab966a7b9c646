import Type from 'typebox'
import { listSessions, revokeSession } from '../auth/sessions.js'
import {
  bearerAuth,
  iso,
  principalOf,
  requestContext,
  type GatehouseInstance,
  type RouteDeps,
} from '../../../http/route-deps.js'
import { ErrorBody, IdParams, PageQuery } from '../../../http/schemas/common.js'
import { SessionList } from './sessions-schemas.js'

/** The caller's sessions: GET /sessions, DELETE /sessions/{id}. */
export function sessionsRoutes(app: GatehouseInstance, deps: RouteDeps): void {
  app.get(
    '/sessions',
    {
      onRequest: deps.required({ allowApiKeys: false, allowClients: false }),
      schema: {
        summary: "The caller's live sessions, newest first",
        tags: ['session'],
        security: bearerAuth,
        querystring: PageQuery,
        response: { 200: SessionList, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => {
      const page = await listSessions(deps.auth, principalOf(request), request.query)
      return {
        items: page.items.map((s) => ({
          id: s.id,
          created_at: iso(s.createdAt),
          last_used_at: iso(s.lastUsedAt),
          expires_at: iso(s.expiresAt),
          ip: s.ip,
          user_agent: s.userAgent,
          current: s.current,
          client_id: s.clientId,
        })),
        next_cursor: page.nextCursor,
      }
    },
  )

  app.delete(
    '/sessions/:id',
    {
      onRequest: deps.required({ allowApiKeys: false, allowClients: false }),
      schema: {
        summary: 'End one of your sessions (404 for anyone else’s)',
        tags: ['session'],
        security: bearerAuth,
        params: IdParams,
        response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      await revokeSession(
        deps.auth,
        principalOf(request),
        request.params.id,
        requestContext(request),
      )
      return reply.code(204).send(null)
    },
  )
}
