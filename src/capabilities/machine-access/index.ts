/** What other capabilities may use of machine-access; everything else is its own. */
export { revokeAllApiKeysOf, type ApiKeyAuthenticator } from './auth/api-keys.js'
export { ID_TOKEN_ALGORITHMS, type OAuthClient } from './auth/clients.js'
export { isRegisteredRedirectUri } from './auth/redirect-uris.js'
export { normalizeScopes } from './auth/scopes.js'
