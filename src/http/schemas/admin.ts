import Type from 'typebox'
import { email } from './account.js'
import { AUDIT_EVENT_TYPES } from '../../auth/audit.js'
import { Page, pageParams, timestamp } from './common.js'

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

export const CreateClientBody = Type.Object(
  {
    name: Type.String(),
    scopes: Type.Array(Type.String(), { maxItems: 32 }),
    introspect: Type.Optional(
      Type.Boolean({ description: 'May call /oauth/introspect (RFC 7662). Default false.' }),
    ),
  },
  { additionalProperties: false, examples: [{ name: 'reporting job', scopes: ['data:read'] }] },
)

export const Client = Type.Object({
  client_id: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  introspect: Type.Boolean(),
  created_at: timestamp,
})

export const CreatedClient = Type.Object({
  client_id: Type.String(),
  client_secret: Type.String({ description: 'Shown this once' }),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  introspect: Type.Boolean(),
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
      created_at: timestamp,
    }),
  ),
})
