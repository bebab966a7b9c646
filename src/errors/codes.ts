/**
 * Every outcome of untrusted input that the caller must see is a `GatehouseError` with a
 * stable `code`. Throw sites never pick an HTTP status: the catalogue (catalogue.ts) maps
 * each code to its status, challenge, OAuth and Flask-JWT-Extended equivalents, in one
 * table that must cover every code.
 */
export const ERROR_CODES = [
  'invalid_request',
  'invalid_username',
  'invalid_password',
  'weak_password',
  'username_taken',
  'invalid_email',
  'email_taken',
  'invalid_email_token',
  'invalid_credentials',
  'user_disabled',
  'email_not_verified',
  'mfa_required',
  'invalid_mfa_code',
  'invalid_mfa_token',
  'invalid_passkey',
  'invalid_passkey_registration',
  'passkey_flow_expired',
  'missing_token',
  'invalid_token',
  'token_expired',
  'token_revoked',
  'insufficient_scope',
  'fresh_token_required',
  'invalid_refresh_token',
  'refresh_token_expired',
  'refresh_token_reused',
  'incorrect_password',
  'password_unchanged',
  'csrf_failed',
  'invalid_scope',
  'invalid_client',
  'invalid_grant',
  'unsupported_grant_type',
  'unauthorized_client',
  'rate_limited',
  'not_found',
  'payload_too_large',
  'request_timeout',
  'headers_too_large',
  'unsupported_media_type',
  'service_unavailable',
  'internal_error',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export class GatehouseError extends Error {
  readonly code: ErrorCode
  /** Whether `message` was given by the throw site rather than defaulted to the code. */
  readonly hasCustomMessage: boolean
  /** Machine-readable particulars, sent as `details` (e.g. every failed validation). */
  readonly details: unknown
  /** Fields the answer carries next to `msg` and `error` (the `mfa_token` of a login). */
  readonly fields: Readonly<Record<string, unknown>> | undefined

  /**
   * @param code what went wrong, as clients see it in `error`
   * @param message human text for `msg`; when omitted the code's default text is used.
   *   Never put a token, password, key or secret here.
   */
  constructor(
    code: ErrorCode,
    message?: string,
    options?: { cause?: unknown; details?: unknown; fields?: Record<string, unknown> },
  ) {
    super(message ?? code, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'GatehouseError'
    this.code = code
    this.hasCustomMessage = message !== undefined
    this.details = options?.details
    this.fields = options?.fields
  }
}

/** Too many attempts: carries how long to wait, for the `Retry-After` header. */
export class RateLimitedError extends GatehouseError {
  /** Seconds until a new attempt can succeed. */
  readonly retryAfter: number

  constructor(retryAfterMs: number, message?: string) {
    const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000))
    super('rate_limited', message ?? `Too many attempts; try again in ${retryAfter} seconds`)
    this.name = 'RateLimitedError'
    this.retryAfter = retryAfter
  }
}

/**
 * A setup mistake (bad setting, missing secret in production). It stops start-up with a
 * message naming the setting and never becomes an HTTP response.
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}
