import { changePassword } from '../../capabilities/accounts/auth/change-password.js'
import { getMe } from '../../capabilities/accounts/auth/users.js'
import { ErrorBody } from '../schemas/common.js'
import {
  ChangePasswordBody,
  ChangePasswordResponse,
  GrantList,
  GrantParams,
  MeResponse,
} from '../schemas/me.js'
import { listGrants, withdrawGrant } from '../../capabilities/apps/auth/grants.js'
import Type from 'typebox'
import { PageQuery } from '../schemas/common.js'
import {
  iso,
  principalOf,
  requestContext,
  type GatehouseInstance,
  type RouteDeps,
  bearerAuth,
} from '../route-deps.js'

/** The caller's own account: GET /me, POST /me/password and the apps it consented to. */
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
      const user = await getMe(deps.auth, principalOf(request))
      return {
        id: user.id,
        username: user.username,
        roles: user.roles,
        created_at: iso(user.createdAt),
        email: user.email,
        email_verified: user.emailVerified,
        mfa_enabled: user.mfaEnabled,
      }
    },
  )

  app.post(
    '/me/password',
    {
      // Two argon2 runs a call: under the credential endpoints' per-IP limit.
      onRequest: [deps.limitByIp, deps.required({ allowApiKeys: false, allowClients: false })],
      schema: {
        summary:
          'Change the password (fresh token; with a second factor, a sign-in that passed it); ends the other sessions and, unless revoke_api_keys is false, the API keys',
        tags: ['account'],
        security: bearerAuth,
        body: ChangePasswordBody,
        response: {
          200: ChangePasswordResponse,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request) => {
      const { current_password, new_password, revoke_api_keys } = request.body
      const changed = await changePassword(
        deps.auth,
        principalOf(request),
        {
          currentPassword: current_password,
          newPassword: new_password,
          revokeApiKeys: revoke_api_keys,
        },
        requestContext(request),
      )
      return {
        msg: 'Password changed',
        sessions_revoked: changed.sessionsRevoked,
        api_keys_revoked: changed.apiKeysRevoked,
      }
    },
  )

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
