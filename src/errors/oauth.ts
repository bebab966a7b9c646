import { ERROR_CATALOGUE, type OAuthErrorCode } from './catalogue.js'
import { RateLimitedError, type GatehouseError } from './codes.js'

export interface OAuthErrorResponse {
  status: number
  headers: Record<string, string>
  body: { error: OAuthErrorCode; error_description: string }
}

/**
 * The answer behind `/oauth/*`: RFC 6749 §5.2 `{error, error_description}`, never cached.
 * Only invalid_client carries a challenge, naming the client authentication scheme: a
 * Bearer challenge on invalid_grant makes OAuth libraries report an authentication
 * problem instead of "sign the user in again".
 */
export function oauthErrorResponse(
  error: GatehouseError,
  description?: string,
): OAuthErrorResponse {
  const entry = ERROR_CATALOGUE[error.code]
  const headers: Record<string, string> = { 'cache-control': 'no-store', pragma: 'no-cache' }
  if (entry.oauth.error === 'invalid_client') {
    headers['www-authenticate'] = ERROR_CATALOGUE.invalid_client.challenge ?? ''
  }
  if (error instanceof RateLimitedError) headers['retry-after'] = String(error.retryAfter)
  return {
    status: entry.oauth.status,
    headers,
    body: {
      error: entry.oauth.error,
      error_description: description ?? (error.hasCustomMessage ? error.message : entry.message),
    },
  }
}
