import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import { createApiKey, listApiKeys, revokeApiKey } from '../../machine-access/index.js'
import { changePassword } from '../auth/change-password.js'
import { pendingEmailChange, requestEmailChange } from '../../email/index.js'
import { resendEmailVerification } from '../../email/index.js'
import type { Principal } from '../../../auth/context.js'
import { listSessions, logout, revokeSession } from '../../sessions/index.js'
import { listGrants, withdrawGrant } from '../../apps/index.js'
import {
  listFactors,
  pendingTotpSetup,
  regenerateRecoveryCodes,
  removeFactor,
  startTotpFactor,
  verifyTotpFactor,
  type TotpSetup,
} from '../../second-factors/index.js'
import { registerPasskey } from '../../second-factors/index.js'
import { getMe } from '../auth/users.js'
import { passkeyAnswer } from '../../second-factors/index.js'
import { requestContext, type GatehouseInstance } from '../../../http/route-deps.js'
import { clearSessionCookies } from '../../../ui/browser-session.js'
import { formBody, optionalText, secret, text, words } from '../../../ui/forms.js'
import {
  formStateOf,
  isStale,
  lacksRequiredSecondFactor,
  showFailure,
  pageContext,
  redirect,
  requirePrincipal,
  sendPage,
  signInUrl,
  type PageDeps,
} from '../../../ui/page.js'
import { AccountPage, type AccountView } from './account-view.js'
import type { SecondFactorsView, TotpSetupView } from '../../second-factors/index.js'

const DoneQuery = Type.Object({ done: Type.Optional(Type.String({ maxLength: 32 })) })
const IdForm = formBody({ id: text(64) })
const EXPIRY_DAYS = { never: undefined, '30': 30, '90': 90, '365': 365 } as const

/** The whole account on one page; every action posts, then comes back here. */
export function accountRoutes(app: GatehouseInstance, deps: PageDeps): void {
  const { t } = deps
  const page = `${deps.root}/account`
  const notices: Partial<Record<string, string>> = {
    created: t.signUp.created,
    password_changed: t.account.passwordChanged,
    session_ended: t.account.sessionEnded,
    others_ended: t.account.othersEnded,
    key_revoked: t.account.keyRevoked,
    verification_sent: t.account.verificationSent,
    email_change_sent: t.account.emailChangeSent,
    email_changed: t.account.emailChanged,
    mfa_added: t.mfa.added,
    mfa_removed: t.mfa.removed,
    mfa_needed: t.mfa.needed,
    passkey_added: t.mfa.passkeyAdded,
    grant_withdrawn: t.account.withdrawn,
  }

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    status: number,
    extra: Partial<AccountView>,
    mfaExtra: Partial<SecondFactorsView> = {},
  ) {
    const [user, sessions, apiKeys, pendingEmail, factors, grants] = await Promise.all([
      getMe(deps.auth, principal),
      listSessions(deps.auth, principal, { limit: 100 }),
      listApiKeys(deps.auth, principal, { limit: 100 }),
      pendingEmailChange(deps.auth, principal),
      listFactors(deps.auth, principal),
      listGrants(deps.auth, principal, { limit: 100 }),
    ])
    const view: AccountView = {
      user,
      sessions: sessions.items,
      apiKeys: apiKeys.items,
      grants: grants.items,
      pendingEmail,
      mfa: { ...factors, ...mfaExtra },
      ...extra,
    }
    return sendPage(
      reply,
      status,
      <AccountPage ctx={pageContext(deps, request, reply, 'account')} view={view} />,
    )
  }

  /** A failed action: back to sign-in when it needs a fresh login, else the page with the error. */
  function failed(
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    error: unknown,
    form: keyof Pick<AccountView, 'passwordForm' | 'emailForm' | 'apiKeyForm' | 'actionError'>,
    fields: Partial<Record<string, string>> = {},
    values: Partial<Record<string, string>> = {},
  ) {
    return showFailure(
      deps,
      reply,
      error,
      page,
      (status, state) => render(request, reply, principal, status, { [form]: state }),
      fields,
      values,
    )
  }

  app.get('/account', { schema: { querystring: DoneQuery } }, async (request, reply) => {
    const principal = requirePrincipal(deps, request, reply)
    if (!principal) return reply
    const done = request.query.done
    const needed = lacksRequiredSecondFactor(deps, principal) ? t.mfa.needed : undefined
    return render(request, reply, principal, 200, {
      notice: done === undefined ? needed : notices[done],
    })
  })

  app.post(
    '/account/password',
    {
      onRequest: deps.limitByIp,
      schema: {
        body: formBody({
          username: text(),
          current_password: secret(),
          new_password: secret(),
          revoke_api_keys: optionalText(8),
        }),
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(deps, request, reply)
      if (!principal) return reply
      try {
        await changePassword(
          deps.auth,
          principal,
          {
            currentPassword: request.body.current_password,
            newPassword: request.body.new_password,
            // An unticked box sends nothing: only a ticked one revokes.
            revokeApiKeys: request.body.revoke_api_keys === 'on',
          },
          requestContext(request),
        )
        return redirect(reply, `${page}?done=password_changed`)
      } catch (error) {
        return failed(request, reply, principal, error, 'passwordForm', {
          incorrect_password: 'current_password',
          invalid_password: 'new_password',
          weak_password: 'new_password',
          password_unchanged: 'new_password',
        })
      }
    },
  )

  app.post('/account/grants/withdraw', { schema: { body: IdForm } }, async (request, reply) => {
    const principal = requirePrincipal(deps, request, reply)
    if (!principal) return reply
    try {
      await withdrawGrant(deps.auth, principal, request.body.id, requestContext(request))
    } catch (error) {
      return failed(request, reply, principal, error, 'actionError')
    }
    return redirect(reply, `${page}?done=grant_withdrawn`)
  })

  app.post('/account/sessions/end', { schema: { body: IdForm } }, async (request, reply) => {
    const principal = requirePrincipal(deps, request, reply)
    if (!principal) return reply
    try {
      await revokeSession(deps.auth, principal, request.body.id, requestContext(request))
    } catch (error) {
      return failed(request, reply, principal, error, 'actionError')
    }
    if (request.body.id !== principal.sid) return redirect(reply, `${page}?done=session_ended`)
    // Ending this browser's own session is signing out.
    clearSessionCookies(reply, deps.cookies)
    return redirect(reply, signInUrl(deps, undefined, 'signed_out'))
  })

  app.post(
    '/account/email/verification',
    { onRequest: deps.limitByIp, schema: { body: formBody({}) } },
    async (request, reply) => {
      const principal = requirePrincipal(deps, request, reply)
      if (!principal) return reply
      try {
        await resendEmailVerification(deps.auth, principal, requestContext(request))
      } catch (error) {
        return failed(request, reply, principal, error, 'actionError')
      }
      return redirect(reply, `${page}?done=verification_sent`)
    },
  )

  app.post(
    '/account/email',
    { onRequest: deps.limitByIp, schema: { body: formBody({ email: text(1024) }) } },
    async (request, reply) => {
      const principal = requirePrincipal(deps, request, reply)
      if (!principal) return reply
      const { email } = request.body
      try {
        const outcome = await requestEmailChange(
          deps.auth,
          principal,
          email,
          requestContext(request),
        )
        const done = outcome === 'changed' ? 'email_changed' : 'email_change_sent'
        return redirect(reply, `${page}?done=${done}`)
      } catch (error) {
        const fields = { invalid_email: 'email', email_taken: 'email', invalid_request: 'email' }
        return failed(request, reply, principal, error, 'emailForm', fields, { email })
      }
    },
  )

  /** A failed second-factor action: a sign-in with the factor when needed, else the error. */
  function mfaFailed(
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    error: unknown,
    mfaExtra: Partial<SecondFactorsView> = {},
  ) {
    return showFailure(deps, reply, error, page, (status, state) =>
      render(request, reply, principal, status, {}, { ...mfaExtra, form: state }),
    )
  }

  async function setupView(setup: TotpSetup): Promise<TotpSetupView> {
    // Loaded with the first enrolment: qrcode and pngjs are ~65 modules.
    const { default: QRCode } = await import('qrcode')
    const svg = await QRCode.toString(setup.otpauthUri, { type: 'svg', margin: 1 })
    return {
      id: setup.id,
      secret: setup.secret,
      qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
    }
  }

  app.post('/account/mfa/totp', { schema: { body: formBody({}) } }, async (request, reply) => {
    const principal = requirePrincipal(deps, request, reply)
    if (!principal) return reply
    try {
      const setup = await startTotpFactor(deps.auth, principal, undefined)
      return render(request, reply, principal, 200, {}, { setup: await setupView(setup) })
    } catch (error) {
      return mfaFailed(request, reply, principal, error)
    }
  })

  app.post(
    '/account/mfa/totp/verify',
    {
      schema: {
        body: formBody({ id: text(64), code: text(64), end_other_sessions: optionalText(8) }),
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(deps, request, reply)
      if (!principal) return reply
      const { id, code } = request.body
      try {
        const { recoveryCodes } = await verifyTotpFactor(
          deps.auth,
          principal,
          id,
          code.trim(),
          requestContext(request),
          // An unticked box sends nothing: only a ticked one ends the other sessions.
          { keepOtherSessions: request.body.end_other_sessions !== 'on' },
        )
        if (recoveryCodes === null) return redirect(reply, `${page}?done=mfa_added`)
        return render(request, reply, principal, 200, { notice: t.mfa.added }, { recoveryCodes })
      } catch (error) {
        // A wrong code: the same setup again, with the error at the field.
        const setup = await pendingTotpSetup(deps.auth, principal, id)
        if (!setup || isStale(error)) return mfaFailed(request, reply, principal, error)
        const { status, state } = formStateOf(error, { invalid_mfa_code: 'code' })
        return render(
          request,
          reply,
          principal,
          status,
          {},
          {
            setup: await setupView(setup),
            form: state,
          },
        )
      }
    },
  )

  app.post(
    '/account/passkeys',
    {
      schema: {
        body: formBody({
          flow_id: text(64),
          response: text(16384),
          passkey_name: optionalText(100),
          end_other_sessions: optionalText(8),
        }),
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(deps, request, reply)
      if (!principal) return reply
      const { flow_id, response, passkey_name: name } = request.body
      try {
        const { recoveryCodes } = await registerPasskey(
          deps.auth,
          principal,
          {
            ...passkeyAnswer(flow_id, response),
            name,
            keepOtherSessions: request.body.end_other_sessions !== 'on',
          },
          requestContext(request),
        )
        if (recoveryCodes === null) return redirect(reply, `${page}?done=passkey_added`)
        return render(
          request,
          reply,
          principal,
          200,
          { notice: t.mfa.passkeyAdded },
          { recoveryCodes },
        )
      } catch (error) {
        return mfaFailed(request, reply, principal, error)
      }
    },
  )

  app.post('/account/mfa/remove', { schema: { body: IdForm } }, async (request, reply) => {
    const principal = requirePrincipal(deps, request, reply)
    if (!principal) return reply
    try {
      await removeFactor(deps.auth, principal, request.body.id, requestContext(request))
    } catch (error) {
      return mfaFailed(request, reply, principal, error)
    }
    return redirect(reply, `${page}?done=mfa_removed`)
  })

  app.post(
    '/account/mfa/recovery-codes',
    { schema: { body: formBody({}) } },
    async (request, reply) => {
      const principal = requirePrincipal(deps, request, reply)
      if (!principal) return reply
      try {
        const recoveryCodes = await regenerateRecoveryCodes(
          deps.auth,
          principal,
          requestContext(request),
        )
        return render(request, reply, principal, 200, {}, { recoveryCodes })
      } catch (error) {
        return mfaFailed(request, reply, principal, error)
      }
    },
  )

  app.post(
    '/account/sessions/end-others',
    { schema: { body: formBody({}) } },
    async (request, reply) => {
      const principal = requirePrincipal(deps, request, reply)
      if (!principal) return reply
      await logout(deps.auth, principal, 'others', requestContext(request))
      return redirect(reply, `${page}?done=others_ended`)
    },
  )

  app.post(
    '/account/api-keys',
    {
      schema: {
        body: formBody({
          name: text(100),
          scopes: text(1024),
          expires: Type.Union(Object.keys(EXPIRY_DAYS).map((days) => Type.Literal(days))),
        }),
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(deps, request, reply)
      if (!principal) return reply
      const { name, scopes, expires } = request.body
      const days = EXPIRY_DAYS[expires as keyof typeof EXPIRY_DAYS]
      try {
        const created = await createApiKey(
          deps.auth,
          principal,
          {
            name,
            scopes: words(scopes).length ? words(scopes) : undefined,
            expiresIn: days === undefined ? undefined : days * 24 * 3600,
          },
          requestContext(request),
        )
        // Shown in this answer, never redirected: a secret must not travel in a URL or cookie.
        return render(request, reply, principal, 201, { createdKey: created })
      } catch (error) {
        return failed(
          request,
          reply,
          principal,
          error,
          'apiKeyForm',
          {
            invalid_request: 'name',
            invalid_scope: 'scopes',
          },
          { name, scopes },
        )
      }
    },
  )

  app.post('/account/api-keys/revoke', { schema: { body: IdForm } }, async (request, reply) => {
    const principal = requirePrincipal(deps, request, reply)
    if (!principal) return reply
    try {
      await revokeApiKey(deps.auth, principal, request.body.id, requestContext(request))
    } catch (error) {
      return failed(request, reply, principal, error, 'actionError')
    }
    return redirect(reply, `${page}?done=key_revoked`)
  })
}
