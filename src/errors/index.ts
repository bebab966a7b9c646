export {
  ConfigError,
  ERROR_CODES,
  GatehouseError,
  RateLimitedError,
  type ErrorCode,
} from './codes.js'
export { ERROR_CATALOGUE, REALM, type ErrorEntry, type OAuthErrorCode } from './catalogue.js'
export { defaultMessage, gatehouseErrorResponse, type ErrorResponse } from './http.js'
export { oauthErrorResponse, type OAuthErrorResponse } from './oauth.js'
export { SEED_MESSAGES } from './seed-messages.js'
