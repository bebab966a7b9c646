import { changePassword } from '../../auth/change-password.js'
import { getMe } from '../../auth/users.js'
import { ErrorBody } from '../schemas/common.js'
import { ChangePasswordBody, ChangePasswordResponse, MeResponse } from '../schemas/me.js'
import {
  iso,
  principalOf,
  requestContext,
  type GatehouseInstance,
  type RouteDeps,
  bearerAuth,
} from '../route-deps.js'

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
      const revoked = await changePassword(
        deps.auth,
        principalOf(request),
        { currentPassword: current_password, newPassword: new_password },
        requestContext(request),
      )
      return { msg: 'Password changed', sessions_revoked: revoked }
    },
  )
}
