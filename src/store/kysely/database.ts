import type { Generated } from 'kysely'

/** The databases the Kysely store runs on; most SQL is common to both. */
export type SqlDialect = 'sqlite' | 'postgres'

/** Table shapes as the database sees them (snake_case, booleans as 0/1, JSON as text). */
export interface Database {
  users: {
    id: string
    username: string
    username_key: string
    password_hash: string
    roles: string
    disabled: number
    created_at: number
    updated_at: number
    email: string | null
    email_key: string | null
    email_verified_at: number | null
  }
  sessions: {
    id: string
    user_id: string
    created_at: number
    last_used_at: number
    expires_at: number
    ip: string | null
    user_agent: string | null
    revoked_at: number | null
    client_id: string
    /** JSON array of RFC 8176 method names. */
    amr: string
    /** JSON array; null for a /login session. */
    scopes: string | null
    auth_time: number | null
    /** An app's session: the browser session its sign-in came from (OIDC `sid`). */
    browser_session_id: string | null
  }
  refresh_tokens: {
    token_hash: string
    session_id: string
    created_at: number
    expires_at: number
    rotated_at: number | null
    successor_hash: string | null
  }
  denylist: {
    kind: string
    value: string
    expires_at: number
    created_at: number
    before: string | null
  }
  api_keys: {
    id: string
    user_id: string
    name: string
    key_hash: string
    prefix: string
    last4: string
    scopes: string
    created_at: number
    last_used_at: number | null
    expires_at: number | null
    revoked_at: number | null
  }
  email_tokens: {
    token_hash: string
    user_id: string
    purpose: string
    email_key: string
    email: string | null
    created_at: number
    expires_at: number
  }
  mfa_factors: {
    id: string
    user_id: string
    type: string
    name: string
    secret_sealed: string | null
    last_step: number | null
    verified_at: number | null
    created_at: number
    last_used_at: number | null
    credential_id: string | null
    public_key: string | null
    counter: number | null
    transports: string | null
  }
  webauthn_flows: {
    id: string
    user_id: string | null
    purpose: string
    challenge: string
    created_at: number
    expires_at: number
  }
  mfa_recovery_codes: {
    code_hash: string
    user_id: string
    created_at: number
    used_at: number | null
  }
  mfa_challenges: {
    token_hash: string
    user_id: string
    failures: number
    created_at: number
    expires_at: number
  }
  mail_queue: {
    id: string
    to_address: string
    subject: string
    text_body: string
    html_body: string
    status: string
    attempts: number
    next_attempt_at: number
    claimed_until: number | null
    last_error: string | null
    created_at: number
    sent_at: number | null
  }
  oauth_clients: {
    id: string
    name: string
    secret_hash: string
    scopes: string
    created_at: number
    introspect: number
    redirect_uris: string
    post_logout_redirect_uris: string
    grant_types: string
    token_endpoint_auth_method: string
    skip_consent: number
    id_token_alg: string
  }
  authorization_codes: {
    code_hash: string
    client_id: string
    user_id: string
    redirect_uri: string
    code_challenge: string
    scopes: string
    nonce: string | null
    auth_time: number
    amr: string
    created_at: number
    expires_at: number
    used_at: number | null
    session_id: string | null
    reused_at: number | null
    browser_session_id: string | null
  }
  consents: {
    user_id: string
    client_id: string
    scopes: string
    created_at: number
    updated_at: number
  }
  audit_events: {
    id: string
    type: string
    user_id: string | null
    ip: string | null
    user_agent: string | null
    at: number
    details: string
  }
  signing_keys: {
    kid: string
    ring: string
    alg: string
    public_jwk: string
    private_key_encrypted: string
    status: string
    created_at: number
    activated_at: number | null
    retired_at: number | null
  }
  kysely_migration?: { name: string; timestamp: Generated<string> }
}
