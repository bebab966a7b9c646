import Type from 'typebox'
import { requestPasswordReset, resetPassword } from '../auth/password-reset.js'
import { GatehouseError } from '../../../errors/index.js'
import { requestContext, type GatehouseInstance } from '../../../http/route-deps.js'
import { clearSessionCookies } from '../../../ui/browser-session.js'
import { formBody, secret, text } from '../../../ui/forms.js'
import {
  formStateOf,
  LinkQuery,
  pageContext,
  redirect,
  sendLinkPage,
  sendPage,
  signInUrl,
  type PageDeps,
} from '../../../ui/page.js'
import { ForgotPasswordPage, ResetPasswordPage } from './password-reset-view.js'

const PASSWORD_FIELDS = { invalid_password: 'new_password', weak_password: 'new_password' }

/** Forgot password → mail → reset password, over the JSON API's use cases. */
export function passwordResetRoutes(app: GatehouseInstance, deps: PageDeps): void {
  app.get(
    '/forgot-password',
    {
      schema: { querystring: Type.Object({ done: Type.Optional(Type.String({ maxLength: 32 })) }) },
    },
    (request, reply) =>
      sendPage(
        reply,
        200,
        <ForgotPasswordPage
          ctx={pageContext(deps, request, reply, 'sign-in')}
          sent={request.query.done === 'sent'}
        />,
      ),
  )

  app.post(
    '/forgot-password',
    { onRequest: deps.limitByIp, schema: { body: formBody({ email: text(1024) }) } },
    async (request, reply) => {
      const { email } = request.body
      try {
        await requestPasswordReset(deps.auth, email, requestContext(request))
      } catch (error) {
        const { status, state, retryAfter } = formStateOf(
          error,
          { invalid_email: 'email' },
          { email },
        )
        if (retryAfter) void reply.header('retry-after', retryAfter)
        const ctx = pageContext(deps, request, reply, 'sign-in')
        return sendPage(reply, status, <ForgotPasswordPage ctx={ctx} state={state} />)
      }
      return redirect(reply, `${deps.root}/forgot-password?done=sent`)
    },
  )

  app.get('/reset-password', { schema: { querystring: LinkQuery } }, (request, reply) =>
    sendLinkPage(reply, request.query.token, (token) => (
      <ResetPasswordPage ctx={pageContext(deps, request, reply, 'sign-in')} token={token} />
    )),
  )

  // A spent or expired link becomes the error page; a refused password, the form again.
  app.post(
    '/reset-password',
    {
      onRequest: deps.limitByIp,
      schema: { body: formBody({ token: text(256), new_password: secret() }) },
    },
    async (request, reply) => {
      const { token, new_password } = request.body
      try {
        await resetPassword(
          deps.auth,
          { token, newPassword: new_password },
          requestContext(request),
        )
      } catch (error) {
        const passwordRefused = error instanceof GatehouseError && error.code in PASSWORD_FIELDS
        if (!passwordRefused) throw error
        const { status, state } = formStateOf(error, PASSWORD_FIELDS)
        const ctx = pageContext(deps, request, reply, 'sign-in')
        return sendPage(reply, status, <ResetPasswordPage ctx={ctx} token={token} state={state} />)
      }
      // This browser's session, if any, ended with all the others.
      clearSessionCookies(reply, deps.cookies)
      return redirect(reply, signInUrl(deps, undefined, 'password_reset'))
    },
  )
}
