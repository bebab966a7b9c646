/**
 * `gatehouse-auth/guard`: verify Gatehouse access tokens in any Node service, offline, against
 * the server's JWKS. Framework-free `createGuard`, a Fastify plugin and Express middleware.
 */
export {
  createGuard,
  type GatehouseClaims,
  type Guard,
  type GuardOptions,
  type RequireOptions,
} from './guard.js'
export { type ErrorMode, type GuardErrorResponse } from './errors.js'
export {
  createLocalKeySource,
  createRemoteKeySource,
  type KeySource,
  type RemoteKeySourceOptions,
} from './key-source.js'
export type { IntrospectionOptions } from './introspection.js'
export type { UserLoader } from './admit.js'
export type { Principal, PrincipalKind } from '../tokens/principal.js'
export { gatehouseGuard, type FastifyGuardOptions } from './fastify.js'
export { expressGuard, type ExpressMiddleware } from './express.js'
export { GatehouseError, type ErrorCode } from '../errors/index.js'
