import Type from 'typebox'
import { login } from '../../sessions/index.js'
import { logout } from '../../sessions/index.js'
import { register } from '../auth/users.js'
import type { GatehouseInstance } from '../../../http/route-deps.js'
import { requestContext } from '../../../http/route-deps.js'
import { clearSessionCookies } from '../../../ui/browser-session.js'
import { formBody, optionalText, secret, text } from '../../../ui/forms.js'
import {
  enterBrowserSession,
  formStateOf,
  pageContext,
  redirect,
  sendPage,
  type PageDeps,
} from '../../../ui/page.js'
import { safeReturnTo } from '../../../ui/return-to.js'
import { MfaPage } from '../../second-factors/index.js'
import { SignInPage } from './sign-in-view.js'
import { secondStepOf } from '../../second-factors/index.js'
import { SignUpPage } from './sign-up-view.js'

const SignInQuery = Type.Object({
  return_to: Type.Optional(Type.String({ maxLength: 2048 })),
  done: Type.Optional(Type.String({ maxLength: 32 })),
  /** OIDC `login_hint`, passed on by the authorization endpoint: the username to fill in. */
  login_hint: Type.Optional(Type.String({ maxLength: 254 })),
})
const Credentials = formBody({ username: text(), password: secret() })
const SignUpForm = formBody({ username: text(), password: secret(), email: optionalText(254) })

/** Sign-in errors name no field: an unknown user and a wrong password read the same. */
const SIGN_UP_FIELDS = {
  invalid_username: 'username',
  username_taken: 'username',
  invalid_password: 'password',
  weak_password: 'password',
  invalid_email: 'email',
  email_taken: 'email',
}

export function signInRoutes(app: GatehouseInstance, deps: PageDeps): void {
  const { t } = deps
  const home = `${deps.root}/account`
  const emailRequired = deps.auth.settings.emailVerification === 'required'
  const notices: Partial<Record<string, string>> = {
    signed_out: t.signIn.signedOut,
    password_changed: t.signIn.passwordChanged,
    reauthenticate: t.signIn.reauthenticate,
    password_reset: t.signIn.passwordReset,
  }

  app.get('/', (request, reply) =>
    redirect(reply, request.principal ? home : `${deps.root}/sign-in`),
  )

  app.get('/sign-in', { schema: { querystring: SignInQuery } }, (request, reply) => {
    const returnTo = safeReturnTo(request.query.return_to, home)
    // Someone signed in who is asked to sign in again (a fresh login) sees the form.
    if (request.principal && request.query.done !== 'reauthenticate')
      return redirect(reply, returnTo)
    const ctx = pageContext(deps, request, reply, 'sign-in')
    const notice = request.query.done === undefined ? undefined : notices[request.query.done]
    return sendPage(
      reply,
      200,
      <SignInPage
        ctx={ctx}
        returnTo={request.query.return_to ? returnTo : null}
        notice={notice}
        {...(request.query.login_hint !== undefined && {
          state: { values: { username: request.query.login_hint } },
        })}
      />,
    )
  })

  app.post(
    '/sign-in',
    { onRequest: deps.limitByIp, schema: { querystring: SignInQuery, body: Credentials } },
    async (request, reply) => {
      const returnTo = safeReturnTo(request.query.return_to, home)
      const context = requestContext(request)
      try {
        const pair = await login(deps.auth, request.body, context)
        return enterBrowserSession(deps, request, reply, pair, context, returnTo)
      } catch (error) {
        const step = secondStepOf(error)
        if (step !== null) {
          // The password was right: the second step, on a page of its own.
          const ctx = pageContext(deps, request, reply, 'sign-in')
          const back = request.query.return_to ? returnTo : null
          return sendPage(
            reply,
            200,
            <MfaPage ctx={ctx} mfaToken={step.mfaToken} returnTo={back} passkey={step.passkey} />,
          )
        }
        const { status, state, retryAfter } = formStateOf(
          error,
          {},
          {
            username: request.body.username,
          },
        )
        // A lockout says when to come back, as the JSON API's 429 does.
        if (retryAfter !== undefined) void reply.header('retry-after', retryAfter)
        const ctx = pageContext(deps, request, reply, 'sign-in')
        return sendPage(
          reply,
          status,
          <SignInPage
            ctx={ctx}
            returnTo={request.query.return_to ? returnTo : null}
            state={state}
          />,
        )
      }
    },
  )

  app.get('/sign-up', (request, reply) => {
    if (request.principal) return redirect(reply, home)
    return sendPage(
      reply,
      200,
      <SignUpPage
        ctx={pageContext(deps, request, reply, 'sign-up')}
        emailRequired={emailRequired}
      />,
    )
  })

  app.post(
    '/sign-up',
    { onRequest: deps.limitByIp, schema: { body: SignUpForm } },
    async (request, reply) => {
      const context = requestContext(request)
      const { username, password } = request.body
      // An empty field means no address.
      const email = request.body.email?.trim() || undefined
      try {
        await register(deps.auth, { username, password, email }, context)
        const pair = await login(deps.auth, { username, password }, context)
        return enterBrowserSession(deps, request, reply, pair, context, `${home}?done=created`)
      } catch (error) {
        const { status, state } = formStateOf(error, SIGN_UP_FIELDS, {
          username,
          email: request.body.email ?? '',
        })
        const ctx = pageContext(deps, request, reply, 'sign-up')
        return sendPage(
          reply,
          status,
          <SignUpPage ctx={ctx} state={state} emailRequired={emailRequired} />,
        )
      }
    },
  )

  app.post('/sign-out', { schema: { body: formBody({}) } }, async (request, reply) => {
    if (request.principal) {
      await logout(deps.auth, request.principal, 'local', requestContext(request))
    }
    clearSessionCookies(reply, deps.cookies)
    deps.nonceOf(request, reply, { renew: true })
    return redirect(reply, `${deps.root}/sign-in?done=signed_out`)
  })
}
