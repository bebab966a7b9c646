import Type from 'typebox'
import { email } from '../../../http/schemas/credentials.js'
import { AUDIT_EVENT_TYPES } from '../../../auth/audit.js'
import { Page, pageParams, timestamp } from '../../../http/schemas/common.js'

export const AdminUser = Type.Object({
  id: Type.String(),
  username: Type.String(),
  roles: Type.Array(Type.String()),
  disabled: Type.Boolean(),
  created_at: timestamp,
  updated_at: timestamp,
  email: Type.Union([Type.String(), Type.Null()]),
  email_verified: Type.Boolean(),
  mfa_enabled: Type.Boolean(),
})

export const AdminUserList = Page(AdminUser)

export const UserSearchQuery = Type.Object(
  {
    search: Type.Optional(
      Type.String({ maxLength: 64, description: 'Username prefix, case-insensitive' }),
    ),
    ...pageParams,
  },
  { additionalProperties: false },
)

export const CreateUserBody = Type.Object(
  {
    username: Type.String(),
    password: Type.String(),
    roles: Type.Optional(Type.Array(Type.String(), { maxItems: 32 })),
    email: Type.Optional(email),
    email_verified: Type.Optional(
      Type.Boolean({ description: 'Vouch for the address (default false)' }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ username: 'carol', password: 'a long passphrase of hers', roles: ['auditor'] }],
  },
)

export const UpdateUserBody = Type.Object(
  {
    roles: Type.Optional(Type.Array(Type.String(), { maxItems: 32 })),
    disabled: Type.Optional(Type.Boolean()),
    email: Type.Optional(
      Type.Union([email, Type.Null()], { description: 'A new address, or null to remove it' }),
    ),
    email_verified: Type.Optional(Type.Boolean()),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ roles: ['admin'] }, { disabled: true }, { email: 'carol@example.com' }],
  },
)

export const AuditQuery = Type.Object(
  {
    user_id: Type.Optional(Type.String({ maxLength: 64 })),
    type: Type.Optional(Type.Union(AUDIT_EVENT_TYPES.map((t) => Type.Literal(t)))),
    since: Type.Optional(Type.String({ format: 'date-time', description: 'Inclusive' })),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive' })),
    ...pageParams,
  },
  { additionalProperties: false },
)

export const AuditEvent = Type.Object({
  id: Type.String(),
  type: Type.String(),
  user_id: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  at: timestamp,
  details: Type.Record(Type.String(), Type.Unknown()),
})

export const AuditList = Page(AuditEvent)

const uriList = (description: string) =>
  Type.Optional(Type.Array(Type.String({ maxLength: 2048 }), { maxItems: 16, description }))

export const CreateClientBody = Type.Object(
  {
    name: Type.String(),
    scopes: Type.Array(Type.String(), {
      maxItems: 32,
      description:
        'What the client may ask for: API scopes such as data:read and, for apps, openid, profile, email, offline_access',
    }),
    introspect: Type.Optional(
      Type.Boolean({ description: 'May call /oauth/introspect (RFC 7662). Default false.' }),
    ),
    redirect_uris: uriList('Exact redirect URIs of the authorization code flow'),
    post_logout_redirect_uris: uriList('Where RP-initiated logout may send the browser'),
    grant_types: Type.Optional(
      Type.Array(
        Type.Union([
          Type.Literal('client_credentials'),
          Type.Literal('authorization_code'),
          Type.Literal('refresh_token'),
        ]),
        {
          maxItems: 3,
          description:
            'Default: authorization_code and refresh_token with redirect_uris, else client_credentials',
        },
      ),
    ),
    token_endpoint_auth_method: Type.Optional(
      Type.Union(
        [
          Type.Literal('client_secret_basic'),
          Type.Literal('client_secret_post'),
          Type.Literal('none'),
        ],
        {
          description:
            'Default client_secret_basic; none = a public client (SPA, mobile), no secret',
        },
      ),
    ),
    skip_consent: Type.Optional(
      Type.Boolean({
        description: 'First-party app: users are not asked to consent. Default false.',
      }),
    ),
    id_token_signed_response_alg: Type.Optional(
      Type.Union([Type.Literal('RS256'), Type.Literal('ES256'), Type.Literal('EdDSA')], {
        description: 'Default RS256 (OIDC Core §15.1)',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      { name: 'reporting job', scopes: ['data:read'] },
      {
        name: 'Team wiki',
        scopes: ['openid', 'profile', 'email', 'offline_access', 'data:read'],
        redirect_uris: ['https://wiki.example/callback'],
        post_logout_redirect_uris: ['https://wiki.example/'],
      },
    ],
  },
)

const appFields = {
  redirect_uris: Type.Array(Type.String()),
  post_logout_redirect_uris: Type.Array(Type.String()),
  grant_types: Type.Array(Type.String()),
  token_endpoint_auth_method: Type.String(),
  skip_consent: Type.Boolean(),
  id_token_signed_response_alg: Type.String(),
}

export const Client = Type.Object({
  client_id: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  introspect: Type.Boolean(),
  created_at: timestamp,
  ...appFields,
})

export const CreatedClient = Type.Object({
  client_id: Type.String(),
  client_secret: Type.Optional(
    Type.String({ description: 'Shown this once; a public client has none' }),
  ),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  introspect: Type.Boolean(),
  ...appFields,
})

export const ClientList = Page(Client)

export const ClientParams = Type.Object({ client_id: Type.String({ maxLength: 64 }) })

/** RFC 7638 thumbprints are 43 base64url characters. */
export const KidParams = Type.Object({ kid: Type.String({ minLength: 1, maxLength: 128 }) })

export const SigningKeys = Type.Object({
  current_kid: Type.String(),
  next_kid: Type.String(),
})

export const SigningKeyList = Type.Object({
  items: Type.Array(
    Type.Object({
      kid: Type.String(),
      alg: Type.String(),
      status: Type.String(),
      use: Type.String({
        description: 'access_token (also signs ID tokens of its algorithm) or id_token',
      }),
      created_at: timestamp,
    }),
  ),
})
