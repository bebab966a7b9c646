import { completeMfaLogin } from '../../auth/mfa-login.js'
import { logout } from '../../auth/sessions.js'
import { GatehouseError } from '../../errors/index.js'
import { requestContext, type GatehouseInstance } from '../../http/route-deps.js'
import { setSessionCookies } from '../browser-session.js'
import { formBody, optionalText, text } from '../forms.js'
import { formStateOf, pageContext, redirect, sendPage, type PageDeps } from '../page.js'
import { safeReturnTo } from '../return-to.js'
import { MfaPage } from '../views/mfa.js'

/** The `mfa_token` of a login that needs its second step, or null for any other error. */
export function secondStepToken(error: unknown): string | null {
  if (!(error instanceof GatehouseError) || error.code !== 'mfa_required') return null
  const token = error.fields?.['mfa_token']
  return typeof token === 'string' ? token : null
}

/** Six digits are an authenticator code; anything else is tried as a recovery code. */
const isAppCode = (value: string) => /^\d{6}$/.test(value)

/** The second step of signing in: `/ui/sign-in` renders its form, this takes the code. */
export function mfaRoutes(app: GatehouseInstance, deps: PageDeps): void {
  const home = `${deps.root}/account`
  app.post(
    '/mfa',
    {
      onRequest: deps.limitByIp,
      schema: {
        body: formBody({ mfa_token: text(128), code: text(64), return_to: optionalText(2048) }),
      },
    },
    async (request, reply) => {
      const { mfa_token, return_to } = request.body
      const code = request.body.code.trim()
      const returnTo = safeReturnTo(return_to, home)
      const context = requestContext(request)
      try {
        const pair = await completeMfaLogin(
          deps.auth,
          isAppCode(code)
            ? { mfaToken: mfa_token, code }
            : { mfaToken: mfa_token, recoveryCode: code },
          context,
        )
        if (request.principal) await logout(deps.auth, request.principal, 'local', context)
        setSessionCookies(reply, pair, deps.cookies)
        deps.nonceOf(request, reply, { renew: true })
        return redirect(reply, returnTo)
      } catch (error) {
        // A dead mfa_token (expired, used, five wrong codes) is the error page: sign in again.
        if (!(error instanceof GatehouseError) || error.code !== 'invalid_mfa_code') throw error
        const { status, state } = formStateOf(error, { invalid_mfa_code: 'code' })
        const ctx = pageContext(deps, request, reply, 'sign-in')
        const back = return_to ? returnTo : null
        return sendPage(
          reply,
          status,
          <MfaPage ctx={ctx} mfaToken={mfa_token} returnTo={back} state={state} />,
        )
      }
    },
  )
}
