import { changePassword } from '../auth/change-password.js'
import { getMe } from '../auth/users.js'
import { ErrorBody } from '../../../http/schemas/common.js'
import { ChangePasswordResponse } from '../../../http/schemas/credentials.js'
import { ChangePasswordBody, MeResponse } from './me-schemas.js'
import {
  iso,
  principalOf,
  requestContext,
  type GatehouseInstance,
  type RouteDeps,
  bearerAuth,
} from '../../../http/route-deps.js'

/** The caller's own account: GET /me and POST /me/password. */
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
}
