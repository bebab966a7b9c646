/**
 * Gatehouse as a library: the Fastify plugin, the pieces to assemble a server, public
 * types and error classes. The command-line server is `gatehouse serve`.
 */
export { gatehouse, type GatehouseDecorator, type GatehouseOptions } from './http/plugin.js'
export { buildApp, type BuildAppOptions } from './http/app.js'
export type { RequiredOptions } from './http/auth-context.js'
export { openCore, type Core, type OpenCoreOptions } from './core.js'
export { loadConfig, type LoadConfigOptions } from './config/load.js'
export type { Config, SettingName } from './config/schema.js'
export type { Auth } from './auth/context.js'
export type { Principal, PrincipalKind } from './tokens/principal.js'
// The use cases, for routes of your own: each takes `app.gatehouse.auth` first.
export { authenticate } from './capabilities/sessions/index.js'
export { login, type LoginInput } from './capabilities/sessions/index.js'
export { refresh } from './capabilities/sessions/index.js'
export { getMe, register } from './capabilities/accounts/index.js'
export {
  listSessions,
  logout,
  revokeSession,
  type LogoutScope,
} from './capabilities/sessions/index.js'
export { changePassword } from './capabilities/accounts/index.js'
export { createApiKey, listApiKeys, revokeApiKey } from './capabilities/machine-access/index.js'
export {
  jwks,
  listSigningKeys,
  revokeSigningKey,
  rotateSigningKeys,
} from './capabilities/keys/index.js'
export type { TokenPair } from './capabilities/sessions/index.js'
export type { RequestContext } from './auth/deps.js'
export type { AdditionalClaims } from './auth/deps.js'
export type { PublicUser } from './capabilities/accounts/index.js'
export type { AccessTokenClaims } from './tokens/access-token.js'
export type { Clock } from './clock.js'
export type { Store } from './store/store.js'
export { GatehouseError, ConfigError, type ErrorCode } from './errors/index.js'
