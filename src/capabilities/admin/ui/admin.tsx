import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import {
  createUserAsAdmin,
  deleteUser,
  listUsers,
  resetMfaAsAdmin,
  updateUser,
} from '../auth/admin-users.js'
import { AUDIT_EVENT_TYPES, listAudit, type AuditEventType } from '../../../auth/audit.js'
import { createClient, deleteClient, listClients } from '../../machine-access/index.js'
import type { Principal } from '../../../auth/context.js'
import { listSigningKeys, rotateSigningKeys } from '../../keys/index.js'
import { GatehouseError } from '../../../errors/index.js'
import { requestContext, type GatehouseInstance } from '../../../http/route-deps.js'
import { formBody, optionalText, secret, text, words } from '../../../ui/forms.js'
import {
  isAdmin,
  lacksRequiredSecondFactor,
  showFailure,
  pageContext,
  redirect,
  requirePrincipal,
  sendPage,
  type PageDeps,
} from '../../../ui/page.js'
import type { FormState } from '../../../ui/views/components.js'
import {
  AdminAuditPage,
  AdminClientsPage,
  AdminKeysPage,
  AdminUsersPage,
  type AdminMessages,
  type ClientsView,
  type UsersView,
} from './admin-view.js'

const PAGE_SIZE = 50
const Cursor = Type.Optional(Type.String({ maxLength: 512 }))
const Done = Type.Optional(Type.String({ maxLength: 32 }))
const IdForm = formBody({ id: text(128) })

/** The console's kinds of client, and how each authenticates at the token endpoint. */
const AUTH_METHOD_OF_KIND = {
  machine: 'client_secret_basic',
  web: 'client_secret_basic',
  web_post: 'client_secret_post',
  public: 'none',
} as const

/** `?cursor=…` links of a listing, keeping its filters. */
function pageLinks(
  base: string,
  filters: Record<string, string>,
  cursor: string | undefined,
  next: string | null,
) {
  const link = (extra: Record<string, string>) => {
    const query = new URLSearchParams({ ...filters, ...extra })
    for (const [key, value] of [...query]) if (value === '') query.delete(key)
    const text = query.toString()
    return text ? `${base}?${text}` : base
  }
  return {
    nextPage: next === null ? null : link({ cursor: next }),
    firstPage: cursor ? link({}) : null,
  }
}

/** The admin console: users, audit, clients and keys, over the admin API's use cases. */
export function adminRoutes(app: GatehouseInstance, deps: PageDeps): void {
  const { t } = deps
  const root = `${deps.root}/admin`
  const notices: Partial<Record<string, string>> = {
    user_created: t.admin.userCreated,
    user_updated: t.admin.userUpdated,
    user_deleted: t.admin.userDeleted,
    mfa_reset: t.admin.mfaReset,
    client_deleted: t.admin.clientDeleted,
    rotated: t.admin.rotated,
  }
  const noticeOf = (done: string | undefined) => (done === undefined ? undefined : notices[done])

  /** Admins only: others are sent to sign in, or told the page is not theirs. */
  function requireAdmin(request: FastifyRequest, reply: FastifyReply): Principal | null {
    const principal = requirePrincipal(deps, request, reply)
    if (!principal) return null
    if (!isAdmin(principal)) throw new GatehouseError('insufficient_scope', t.admin.notAdmin)
    if (lacksRequiredSecondFactor(deps, principal)) {
      void redirect(reply, `${deps.root}/account?done=mfa_needed`)
      return null
    }
    return principal
  }
  const actor = (principal: Principal) => ({ sub: principal.sub, fresh: principal.fresh })

  /** A failed action: a fresh login when it needs one, else its page with the error. */
  function failed(
    reply: FastifyReply,
    error: unknown,
    back: string,
    show: (status: number, state: FormState) => unknown,
    fields: Partial<Record<string, string>> = {},
    values: Partial<Record<string, string>> = {},
  ) {
    return showFailure(deps, reply, error, back, show, fields, values)
  }

  app.get('/admin', (request, reply) => {
    if (!requireAdmin(request, reply)) return reply
    return redirect(reply, `${root}/users`)
  })

  // Users
  const UsersQuery = Type.Object({
    q: Type.Optional(Type.String({ maxLength: 128 })),
    cursor: Cursor,
    done: Done,
  })
  async function renderUsers(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    query: { q?: string | undefined; cursor?: string | undefined },
    extra: Partial<UsersView>,
  ) {
    const search = query.q ?? ''
    const page = await listUsers(
      deps.auth,
      { search: search || undefined },
      { cursor: query.cursor, limit: PAGE_SIZE },
    )
    const view: UsersView = {
      users: page.items,
      search,
      ...pageLinks(`${root}/users`, { q: search }, query.cursor, page.nextCursor),
      ...extra,
    }
    return sendPage(
      reply,
      status,
      <AdminUsersPage ctx={pageContext(deps, request, reply, 'admin')} view={view} />,
    )
  }

  app.get('/admin/users', { schema: { querystring: UsersQuery } }, async (request, reply) => {
    if (!requireAdmin(request, reply)) return reply
    return renderUsers(request, reply, 200, request.query, { notice: noticeOf(request.query.done) })
  })

  app.post(
    '/admin/users/create',
    {
      schema: {
        body: formBody({
          username: text(),
          password: secret(),
          email: optionalText(254),
          roles: text(512),
        }),
      },
    },
    async (request, reply) => {
      const principal = requireAdmin(request, reply)
      if (!principal) return reply
      const { username, password, roles } = request.body
      const email = request.body.email?.trim() || undefined
      try {
        await createUserAsAdmin(
          deps.auth,
          { username, password, roles: words(roles), email },
          actor(principal),
          requestContext(request),
        )
        return redirect(reply, `${root}/users?done=user_created`)
      } catch (error) {
        return failed(
          reply,
          error,
          `${root}/users`,
          (status, createForm) => renderUsers(request, reply, status, {}, { createForm }),
          {
            invalid_username: 'username',
            username_taken: 'username',
            invalid_password: 'password',
            weak_password: 'password',
            invalid_request: 'roles',
            invalid_email: 'email',
            email_taken: 'email',
          },
          { username, roles, email: request.body.email ?? '' },
        )
      }
    },
  )

  const userAction = (
    path: string,
    update: (body: { id: string; roles?: string }) => { roles?: string[]; disabled?: boolean },
    schema = IdForm,
  ) =>
    app.post(path, { schema: { body: schema } }, async (request, reply) => {
      const principal = requireAdmin(request, reply)
      if (!principal) return reply
      const body = request.body as { id: string; roles?: string }
      try {
        await updateUser(
          deps.auth,
          body.id,
          update(body),
          actor(principal),
          requestContext(request),
        )
        return redirect(reply, `${root}/users?done=user_updated`)
      } catch (error) {
        return failed(reply, error, `${root}/users`, (status, actionError) =>
          renderUsers(request, reply, status, {}, { actionError }),
        )
      }
    })
  userAction(
    '/admin/users/roles',
    (body) => ({ roles: words(body.roles) }),
    formBody({ id: text(128), roles: text(512) }),
  )
  userAction('/admin/users/disable', () => ({ disabled: true }))
  userAction('/admin/users/enable', () => ({ disabled: false }))

  app.post('/admin/users/delete', { schema: { body: IdForm } }, async (request, reply) => {
    const principal = requireAdmin(request, reply)
    if (!principal) return reply
    try {
      await deleteUser(deps.auth, request.body.id, principal.sub, requestContext(request))
      return redirect(reply, `${root}/users?done=user_deleted`)
    } catch (error) {
      return failed(reply, error, `${root}/users`, (status, actionError) =>
        renderUsers(request, reply, status, {}, { actionError }),
      )
    }
  })

  app.post('/admin/users/reset-mfa', { schema: { body: IdForm } }, async (request, reply) => {
    const principal = requireAdmin(request, reply)
    if (!principal) return reply
    try {
      await resetMfaAsAdmin(deps.auth, request.body.id, actor(principal), requestContext(request))
      return redirect(reply, `${root}/users?done=mfa_reset`)
    } catch (error) {
      return failed(reply, error, `${root}/users`, (status, actionError) =>
        renderUsers(request, reply, status, {}, { actionError }),
      )
    }
  })

  // Audit log
  const AuditQuery = Type.Object({
    type: Type.Optional(
      Type.Union([Type.Literal(''), ...AUDIT_EVENT_TYPES.map((type) => Type.Literal(type))]),
    ),
    user_id: Type.Optional(Type.String({ maxLength: 64 })),
    cursor: Cursor,
  })
  app.get('/admin/audit', { schema: { querystring: AuditQuery } }, async (request, reply) => {
    if (!requireAdmin(request, reply)) return reply
    const type = (request.query.type ?? '') as AuditEventType | ''
    const userId = request.query.user_id ?? ''
    const page = await listAudit(
      deps.auth,
      { ...(type && { type }), ...(userId && { userId }) },
      { cursor: request.query.cursor, limit: PAGE_SIZE },
    )
    return sendPage(
      reply,
      200,
      <AdminAuditPage
        ctx={pageContext(deps, request, reply, 'admin')}
        view={{
          events: page.items,
          types: AUDIT_EVENT_TYPES,
          type,
          userId,
          ...pageLinks(
            `${root}/audit`,
            { type, user_id: userId },
            request.query.cursor,
            page.nextCursor,
          ),
        }}
      />,
    )
  })

  // OAuth clients
  async function renderClients(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    cursor: string | undefined,
    extra: Partial<ClientsView>,
  ) {
    const page = await listClients(deps.auth, { cursor, limit: PAGE_SIZE })
    const view: ClientsView = {
      clients: page.items,
      ...pageLinks(`${root}/clients`, {}, cursor, page.nextCursor),
      ...extra,
    }
    return sendPage(
      reply,
      status,
      <AdminClientsPage ctx={pageContext(deps, request, reply, 'admin')} view={view} />,
    )
  }

  app.get(
    '/admin/clients',
    { schema: { querystring: Type.Object({ cursor: Cursor, done: Done }) } },
    async (request, reply) => {
      if (!requireAdmin(request, reply)) return reply
      return renderClients(request, reply, 200, request.query.cursor, {
        notice: noticeOf(request.query.done),
      })
    },
  )

  app.post(
    '/admin/clients/create',
    {
      schema: {
        body: formBody({
          name: text(100),
          scopes: text(1024),
          kind: Type.Optional(
            Type.Union([
              Type.Literal('machine'),
              Type.Literal('web'),
              Type.Literal('web_post'),
              Type.Literal('public'),
            ]),
          ),
          id_token_alg: optionalText(8),
          redirect_uris: optionalText(8192),
          post_logout_redirect_uris: optionalText(8192),
          skip_consent: Type.Optional(Type.Literal('on')),
        }),
      },
    },
    async (request, reply) => {
      const principal = requireAdmin(request, reply)
      if (!principal) return reply
      const { name, scopes, kind = 'machine' } = request.body
      try {
        const app = kind !== 'machine'
        const created = await createClient(
          deps.auth,
          {
            name,
            scopes: words(scopes),
            redirectUris: words(request.body.redirect_uris),
            postLogoutRedirectUris: words(request.body.post_logout_redirect_uris),
            grantTypes: app ? ['authorization_code', 'refresh_token'] : ['client_credentials'],
            tokenEndpointAuthMethod: AUTH_METHOD_OF_KIND[kind],
            skipConsent: request.body.skip_consent === 'on',
            idTokenAlg: request.body.id_token_alg,
          },
          requestContext(request),
          actor(principal),
        )
        // Shown in this answer, never redirected: a secret must not travel in a URL or cookie.
        return renderClients(request, reply, 201, undefined, { created })
      } catch (error) {
        return failed(
          reply,
          error,
          `${root}/clients`,
          (status, createForm) => renderClients(request, reply, status, undefined, { createForm }),
          { invalid_request: 'name', invalid_scope: 'scopes' },
          { name, scopes },
        )
      }
    },
  )

  app.post('/admin/clients/delete', { schema: { body: IdForm } }, async (request, reply) => {
    const principal = requireAdmin(request, reply)
    if (!principal) return reply
    try {
      await deleteClient(deps.auth, request.body.id, requestContext(request), principal.sub)
      return redirect(reply, `${root}/clients?done=client_deleted`)
    } catch (error) {
      return failed(reply, error, `${root}/clients`, (status, actionError) =>
        renderClients(request, reply, status, undefined, { actionError }),
      )
    }
  })

  // Signing keys
  const renderKeys = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    messages: AdminMessages,
  ) =>
    Promise.resolve(
      sendPage(
        reply,
        status,
        <AdminKeysPage
          ctx={pageContext(deps, request, reply, 'admin')}
          view={{ keys: listSigningKeys(deps.auth), ...messages }}
        />,
      ),
    )

  app.get(
    '/admin/keys',
    { schema: { querystring: Type.Object({ done: Done }) } },
    (request, reply) => {
      if (!requireAdmin(request, reply)) return reply
      return renderKeys(request, reply, 200, { notice: noticeOf(request.query.done) })
    },
  )

  app.post('/admin/keys/rotate', { schema: { body: formBody({}) } }, async (request, reply) => {
    const principal = requireAdmin(request, reply)
    if (!principal) return reply
    try {
      await rotateSigningKeys(deps.auth, actor(principal), requestContext(request))
      return redirect(reply, `${root}/keys?done=rotated`)
    } catch (error) {
      return failed(reply, error, `${root}/keys`, (status, actionError) =>
        renderKeys(request, reply, status, { actionError }),
      )
    }
  })
}
