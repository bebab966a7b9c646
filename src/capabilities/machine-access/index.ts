/** What other capabilities may use of machine-access; everything else is its own. */
export {
  createApiKey,
  listApiKeys,
  revokeAllApiKeysOf,
  revokeApiKey,
  type ApiKeyAuthenticator,
  type ApiKeyView,
  type CreatedApiKey,
} from './auth/api-keys.js'
export {
  ID_TOKEN_ALGORITHMS,
  createClient,
  deleteClient,
  issueClientToken,
  listClients,
  type ClientView,
  type CreatedClient,
  type OAuthClient,
} from './auth/clients.js'
export { introspect, revokeToken } from './auth/oauth-tokens.js'
export { isRegisteredRedirectUri } from './auth/redirect-uris.js'
export { normalizeScopes, parseScopeParameter } from './auth/scopes.js'
export { authenticateCaller, requireCaller } from './http/client-auth.js'
