import { changePassword } from '../../auth/change-password.js'
import { resendEmailVerification, verifyEmail } from '../../auth/email-verification.js'
import { getMe } from '../../auth/users.js'
import { ErrorBody } from '../schemas/common.js'
import {
  ChangePasswordBody,
  ChangePasswordResponse,
  MeResponse,
  MessageResponse,
  VerifyEmailBody,
} from '../schemas/me.js'
import {
  iso,
  principalOf,
  requestContext,
  type GatehouseInstance,
  type RouteDeps,
  bearerAuth,
} from '../route-deps.js'

/** The caller's own account: GET /me, POST /me/password, and verifying its address. */
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

  app.post(
    '/me/email/verification',
    {
      onRequest: [deps.limitByIp, deps.required({ allowApiKeys: false, allowClients: false })],
      schema: {
        summary: 'Send a new link to verify your address (the earlier one stops working)',
        tags: ['account'],
        security: bearerAuth,
        response: { 202: MessageResponse, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      await resendEmailVerification(deps.auth, principalOf(request), requestContext(request))
      return reply.code(202).send({ msg: 'Verification email sent' })
    },
  )

  app.post(
    '/email/verify',
    {
      onRequest: deps.limitByIp,
      schema: {
        summary: 'Verify an address with the token from the mail (once)',
        tags: ['account'],
        body: VerifyEmailBody,
        response: { 200: MessageResponse, 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (request) => {
      await verifyEmail(deps.auth, request.body.token, requestContext(request))
      return { msg: 'Email address verified' }
    },
  )
}
