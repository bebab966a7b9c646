import Type from 'typebox'
import { ErrorBody } from '../schemas/common.js'
import {
  ChangePasswordBody,
  ChangePasswordResponse,
  MeResponse,
  PageQuery,
  SessionList,
  SessionParams,
} from '../schemas/session.js'
import {
  iso,
  principalOf,
  requestContext,
  type GatehouseInstance,
  type RouteDeps,
  bearerAuth,
} from './context.js'

/** The caller's own account: GET /me, POST /me/password, GET/DELETE /sessions. */
export function meRoutes(app: GatehouseInstance, deps: RouteDeps): void {
  app.get(
    '/me',
    {
      onRequest: deps.required({ allowClients: false }),
      schema: {
        summary: 'The user of the access token',
        tags: ['account'],
        security: bearerAuth,
        response: { 200: MeResponse, 401: ErrorBody },
      },
    },
    async (request) => {
      const user = await deps.auth.me(principalOf(request))
      return {
        id: user.id,
        username: user.username,
        roles: user.roles,
        created_at: iso(user.createdAt),
      }
    },
  )

  app.post(
    '/me/password',
    {
      onRequest: deps.required({ allowApiKeys: false, allowClients: false }),
      schema: {
        summary: 'Change the password (fresh token required); ends the other sessions',
        tags: ['account'],
        security: bearerAuth,
        body: ChangePasswordBody,
        response: { 200: ChangePasswordResponse, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => {
      const { current_password, new_password } = request.body
      const revoked = await deps.auth.changePassword(
        principalOf(request),
        { currentPassword: current_password, newPassword: new_password },
        requestContext(request),
      )
      return { msg: 'Password changed', sessions_revoked: revoked }
    },
  )

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
      const page = await deps.auth.listSessions(principalOf(request), request.query)
      return {
        items: page.items.map((s) => ({
          id: s.id,
          created_at: iso(s.createdAt),
          last_used_at: iso(s.lastUsedAt),
          expires_at: iso(s.expiresAt),
          ip: s.ip,
          user_agent: s.userAgent,
          current: s.current,
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
        params: SessionParams,
        response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      await deps.auth.revokeSession(
        principalOf(request),
        request.params.id,
        requestContext(request),
      )
      return reply.code(204).send(null)
    },
  )
}
