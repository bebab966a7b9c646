import { requestEmailChange } from '../auth/email-change.js'
import { resendEmailVerification } from '../auth/email-verification.js'
import { verifyEmail } from '../auth/verify-email.js'
import { requestPasswordReset, resetPassword } from '../auth/password-reset.js'
import { ErrorBody } from '../../../http/schemas/common.js'
import { ChangePasswordResponse } from '../../../http/schemas/credentials.js'
import {
  ChangeEmailBody,
  ForgotPasswordBody,
  MessageResponse,
  ResetPasswordBody,
  VerifyEmailBody,
} from './schemas.js'
import {
  bearerAuth,
  principalOf,
  requestContext,
  type GatehouseInstance,
  type RouteDeps,
} from '../../../http/route-deps.js'

/** One answer for every address: it must not tell whether the address has an account. */
export const FORGOT_PASSWORD_MESSAGE =
  'If the address belongs to an account, a link to reset its password is on its way'

/** The flows that go through a mailed link: verify, reset a password, change the address. */
export function emailRoutes(app: GatehouseInstance, deps: RouteDeps): void {
  const userOnly = deps.required({ allowApiKeys: false, allowClients: false })

  app.post(
    '/me/email/verification',
    {
      onRequest: [deps.limitByIp, userOnly],
      schema: {
        summary: 'Send a new link to verify your address (the earlier one stops working)',
        tags: ['email'],
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
        summary: 'Verify an address (or a new one) with the token from the mail, once',
        tags: ['email'],
        body: VerifyEmailBody,
        response: { 200: MessageResponse, 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (request) => {
      await verifyEmail(deps.auth, request.body.token, requestContext(request))
      return { msg: 'Email address verified' }
    },
  )

  app.post(
    '/me/email',
    {
      onRequest: [deps.limitByIp, userOnly],
      schema: {
        summary: 'Change your address: it is replaced once the link mailed to it is used',
        description:
          'Needs a fresh token. 202: a link went to the new address and the old one was told. ' +
          '200: changed at once (GATEHOUSE_EMAIL_VERIFICATION=off).',
        tags: ['email'],
        security: bearerAuth,
        body: ChangeEmailBody,
        response: {
          200: MessageResponse,
          202: MessageResponse,
          400: ErrorBody,
          401: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const outcome = await requestEmailChange(
        deps.auth,
        principalOf(request),
        request.body.email,
        requestContext(request),
      )
      return outcome === 'changed'
        ? reply.code(200).send({ msg: 'Email address changed' })
        : reply.code(202).send({ msg: 'Confirmation link sent to the new address' })
    },
  )

  app.post(
    '/password/forgot',
    {
      onRequest: deps.limitByIp,
      schema: {
        summary: 'Mail a link to reset the password of the account with this address',
        description:
          'The same 202 for every address, known or not; only a verified address gets mail.',
        tags: ['email'],
        body: ForgotPasswordBody,
        response: { 202: MessageResponse, 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      await requestPasswordReset(deps.auth, request.body.email, requestContext(request))
      return reply.code(202).send({ msg: FORGOT_PASSWORD_MESSAGE })
    },
  )

  app.post(
    '/password/reset',
    {
      onRequest: deps.limitByIp,
      schema: {
        summary: 'Choose a new password with the token from the mail; every session ends',
        tags: ['email'],
        body: ResetPasswordBody,
        response: { 200: ChangePasswordResponse, 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (request) => {
      const revoked = await resetPassword(
        deps.auth,
        { token: request.body.token, newPassword: request.body.new_password },
        requestContext(request),
      )
      return { msg: 'Password changed', sessions_revoked: revoked }
    },
  )
}
