import { ADMIN_ROLE, DEFAULT_USER_SCOPES } from '../../auth/rbac.js'
import type { Principal } from '../../auth/context.js'
import { SEED_MESSAGES } from '../../errors/index.js'
import { ErrorBody } from '../schemas/common.js'
import { AdminResponse, DataResponse, ProtectedResponse } from '../schemas/seed-resources.js'
import { principalOf, type GatehouseInstance, type RouteDeps, bearerAuth } from '../route-deps.js'

/** The tutorial's protected resources: GET /protected, /data and /admin. */
export function seedResourceRoutes(app: GatehouseInstance, deps: RouteDeps): void {
  app.get(
    '/protected',
    {
      onRequest: deps.required(),
      schema: {
        summary: 'Who am I (any valid access token)',
        tags: ['seed'],
        security: bearerAuth,
        response: { 200: ProtectedResponse, 401: ErrorBody },
      },
    },
    (request) => ({ logged_in_as: nameOf(principalOf(request)) }),
  )

  app.get(
    '/data',
    {
      onRequest: deps.required({ scopes: DEFAULT_USER_SCOPES }),
      schema: {
        summary: 'Sensitive data (scope data:read)',
        tags: ['seed'],
        security: bearerAuth,
        response: { 200: DataResponse, 401: ErrorBody, 403: ErrorBody },
      },
    },
    (request) => ({ data: `Sensitive data for ${nameOf(principalOf(request))}` }),
  )

  app.get(
    '/admin',
    {
      onRequest: deps.required({
        roles: [ADMIN_ROLE],
        forbiddenMessage: SEED_MESSAGES.adminsOnly,
      }),
      schema: {
        summary: 'Admins only (role admin)',
        tags: ['seed'],
        security: bearerAuth,
        response: { 200: AdminResponse, 401: ErrorBody, 403: ErrorBody },
      },
    },
    (request) => ({
      logged_in_as: { username: nameOf(principalOf(request)), role: 'admin' as const },
    }),
  )
}

function nameOf(principal: Principal): string {
  return principal.username ?? principal.sub
}
