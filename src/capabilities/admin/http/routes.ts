import {
  createUserAsAdmin,
  deleteUser,
  resetMfaAsAdmin,
  getUser,
  listUsers,
  updateUser,
} from '../auth/admin-users.js'
import { listAudit } from '../../../auth/audit.js'
import { createClient, deleteClient, listClients } from '../../machine-access/index.js'
import { listSigningKeys, revokeSigningKey, rotateSigningKeys } from '../../keys/index.js'
import Type from 'typebox'
import type { AdminUserView } from '../auth/admin-users.js'
import { toAuditEventView } from '../../../auth/audit.js'
import { ADMIN_ROLE } from '../../../auth/rbac.js'
import type { ClientView } from '../../machine-access/index.js'
import { GatehouseError } from '../../../errors/index.js'
import {
  AdminUser,
  AdminUserList,
  AuditList,
  AuditQuery,
  ClientList,
  ClientParams,
  CreateClientBody,
  CreatedClient,
  CreateUserBody,
  KidParams,
  SigningKeyList,
  SigningKeys,
  UpdateUserBody,
  UserSearchQuery,
} from './schemas.js'
import { ErrorBody, IdParams, PageQuery } from '../../../http/schemas/common.js'
import {
  iso,
  NO_STORE,
  principalOf,
  requestContext,
  type GatehouseInstance,
  type RouteDeps,
  bearerAuth,
} from '../../../http/route-deps.js'

const denied = { 401: ErrorBody, 403: ErrorBody }

/** Administration, role admin only, with a user's own access token (never an API key). */
export function adminRoutes(app: GatehouseInstance, deps: RouteDeps): void {
  app.addHook('onRequest', deps.required({ roles: [ADMIN_ROLE], allowApiKeys: false }))
  const tags = ['admin']

  app.get(
    '/admin/users',
    {
      schema: {
        summary: 'Users, newest first',
        tags,
        security: bearerAuth,
        querystring: UserSearchQuery,
        response: { 200: AdminUserList, 400: ErrorBody, ...denied },
      },
    },
    async (request) => {
      const { search, ...page } = request.query
      const result = await listUsers(deps.auth, { search }, page)
      return { items: result.items.map(toAdminUser), next_cursor: result.nextCursor }
    },
  )

  app.post(
    '/admin/users',
    {
      schema: {
        summary: 'Create a user (same username and password rules as /register)',
        tags,
        security: bearerAuth,
        body: CreateUserBody,
        response: { 201: AdminUser, 400: ErrorBody, ...denied },
      },
    },
    async (request, reply) => {
      const { email_verified: emailVerified, ...body } = request.body
      const user = await createUserAsAdmin(
        deps.auth,
        { ...body, emailVerified },
        principalOf(request),
        requestContext(request),
      )
      return reply.code(201).send(toAdminUser(user))
    },
  )

  app.get(
    '/admin/users/:id',
    {
      schema: {
        summary: 'One user',
        tags,
        security: bearerAuth,
        params: IdParams,
        response: { 200: AdminUser, 404: ErrorBody, ...denied },
      },
    },
    async (request) => toAdminUser(await getUser(deps.auth, request.params.id)),
  )

  app.patch(
    '/admin/users/:id',
    {
      schema: {
        summary: 'Change roles, email or disable; disabling ends every session and key at once',
        tags,
        security: bearerAuth,
        params: IdParams,
        body: UpdateUserBody,
        response: { 200: AdminUser, 400: ErrorBody, 404: ErrorBody, ...denied },
      },
    },
    async (request) => {
      const { email_verified: emailVerified, ...body } = request.body
      const user = await updateUser(
        deps.auth,
        request.params.id,
        { ...body, emailVerified },
        principalOf(request),
        requestContext(request),
      )
      return toAdminUser(user)
    },
  )

  app.delete(
    '/admin/users/:id/mfa',
    {
      schema: {
        summary: 'Remove every second factor and recovery code of a user (fresh token)',
        tags,
        security: bearerAuth,
        params: IdParams,
        response: {
          200: Type.Object({ msg: Type.String(), factors_removed: Type.Integer() }),
          404: ErrorBody,
          ...denied,
        },
      },
    },
    async (request) => {
      const removed = await resetMfaAsAdmin(
        deps.auth,
        request.params.id,
        principalOf(request),
        requestContext(request),
      )
      return { msg: 'Second factors removed', factors_removed: removed }
    },
  )

  app.delete(
    '/admin/users/:id',
    {
      schema: {
        summary: 'Delete a user with their sessions and keys',
        tags,
        security: bearerAuth,
        params: IdParams,
        response: { 204: Type.Null(), 404: ErrorBody, ...denied },
      },
    },
    async (request, reply) => {
      await deleteUser(
        deps.auth,
        request.params.id,
        principalOf(request).sub,
        requestContext(request),
      )
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/admin/audit',
    {
      schema: {
        summary: 'Audit log, newest first; filter by user, type and time',
        tags,
        security: bearerAuth,
        querystring: AuditQuery,
        response: { 200: AuditList, 400: ErrorBody, ...denied },
      },
    },
    async (request) => {
      const { user_id, type, since, until, cursor, limit } = request.query
      const page = await listAudit(
        deps.auth,
        {
          ...(user_id !== undefined && { userId: user_id }),
          ...(type !== undefined && { type }),
          ...(since !== undefined && { since: parseTime('since', since) }),
          ...(until !== undefined && { until: parseTime('until', until) }),
        },
        { cursor, limit },
      )
      return {
        items: page.items.map(toAuditEventView),
        next_cursor: page.nextCursor,
      }
    },
  )

  app.get(
    '/admin/clients',
    {
      schema: {
        summary: 'OAuth clients, newest first',
        tags,
        security: bearerAuth,
        querystring: PageQuery,
        response: { 200: ClientList, 400: ErrorBody, ...denied },
      },
    },
    async (request) => {
      const page = await listClients(deps.auth, request.query)
      return { items: page.items.map(toClient), next_cursor: page.nextCursor }
    },
  )

  app.post(
    '/admin/clients',
    {
      schema: {
        summary: 'Create an OAuth client; the secret is shown once',
        tags,
        security: bearerAuth,
        body: CreateClientBody,
        response: { 201: CreatedClient, 400: ErrorBody, ...denied },
      },
    },
    async (request, reply) => {
      const body = request.body
      const client = await createClient(
        deps.auth,
        {
          name: body.name,
          scopes: body.scopes,
          introspect: body.introspect,
          redirectUris: body.redirect_uris,
          postLogoutRedirectUris: body.post_logout_redirect_uris,
          grantTypes: body.grant_types,
          tokenEndpointAuthMethod: body.token_endpoint_auth_method,
          skipConsent: body.skip_consent,
          idTokenAlg: body.id_token_signed_response_alg,
        },
        requestContext(request),
        principalOf(request),
      )
      const { created_at: _createdAt, ...view } = toClient(client)
      return reply
        .code(201)
        .headers(NO_STORE)
        .send({
          ...view,
          ...(client.clientSecret !== null && { client_secret: client.clientSecret }),
        })
    },
  )

  app.delete(
    '/admin/clients/:client_id',
    {
      schema: {
        summary: 'Delete an OAuth client; its tokens stop working at once',
        tags,
        security: bearerAuth,
        params: ClientParams,
        response: { 204: Type.Null(), 404: ErrorBody, ...denied },
      },
    },
    async (request, reply) => {
      await deleteClient(
        deps.auth,
        request.params.client_id,
        requestContext(request),
        principalOf(request).sub,
      )
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/admin/keys',
    {
      schema: {
        summary: 'Published signing keys',
        tags,
        security: bearerAuth,
        response: { 200: SigningKeyList, ...denied },
      },
    },
    () => ({
      items: listSigningKeys(deps.auth).map((k) => ({
        kid: k.kid,
        alg: k.alg,
        status: k.status,
        use: k.use,
        created_at: iso(k.createdAt),
      })),
    }),
  )

  app.post(
    '/admin/keys/rotate',
    {
      schema: {
        summary: 'Promote the published next signing key and publish a new next key',
        tags,
        security: bearerAuth,
        response: { 200: SigningKeys, ...denied },
      },
    },
    async (request) => {
      const kids = await rotateSigningKeys(deps.auth, principalOf(request), requestContext(request))
      return { current_kid: kids.current, next_kid: kids.next }
    },
  )

  app.post(
    '/admin/keys/:kid/revoke',
    {
      schema: {
        summary:
          'Withdraw a compromised signing key: out of the JWKS, and every token it signed refused, at once',
        tags,
        security: bearerAuth,
        params: KidParams,
        response: { 200: SigningKeys, 404: ErrorBody, ...denied },
      },
    },
    async (request) => {
      const kids = await revokeSigningKey(
        deps.auth,
        request.params.kid,
        principalOf(request),
        requestContext(request),
      )
      return { current_kid: kids.current, next_kid: kids.next }
    },
  )
}

function toAdminUser(user: AdminUserView) {
  return {
    id: user.id,
    username: user.username,
    roles: user.roles,
    disabled: user.disabled,
    created_at: iso(user.createdAt),
    updated_at: iso(user.updatedAt),
    email: user.email,
    email_verified: user.emailVerified,
    mfa_enabled: user.mfaEnabled,
  }
}

function toClient(client: ClientView) {
  return {
    client_id: client.clientId,
    name: client.name,
    scopes: client.scopes,
    introspect: client.introspect,
    created_at: iso(client.createdAt),
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    grant_types: client.grantTypes,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    skip_consent: client.skipConsent,
    id_token_signed_response_alg: client.idTokenAlg,
  }
}

function parseTime(name: string, value: string): number {
  const time = Date.parse(value)
  if (Number.isNaN(time))
    throw new GatehouseError('invalid_request', `${name} must be an ISO 8601 date-time`)
  return time
}
