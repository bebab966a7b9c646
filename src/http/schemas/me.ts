import { Page } from './common.js'
import Type from 'typebox'
import { email } from './account.js'

export const MeResponse = Type.Object({
  id: Type.String(),
  username: Type.String(),
  roles: Type.Array(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  email: Type.Union([Type.String(), Type.Null()]),
  email_verified: Type.Boolean(),
  mfa_enabled: Type.Boolean(),
})

export const ChangePasswordBody = Type.Object(
  {
    current_password: Type.String(),
    new_password: Type.String(),
    revoke_api_keys: Type.Optional(
      Type.Boolean({
        default: true,
        description:
          'Revoke every API key of the account too (default true): keys outlive sessions, and whoever knew the old password may have made some',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ current_password: 'password1', new_password: 'a much longer passphrase' }],
  },
)

export const ChangePasswordResponse = Type.Object({
  msg: Type.String(),
  sessions_revoked: Type.Integer(),
  api_keys_revoked: Type.Optional(Type.Integer()),
})

export const MessageResponse = Type.Object({ msg: Type.String() })

/** The token from a mailed link (its `token` query parameter). */
const emailToken = Type.String({
  maxLength: 256,
  description: 'The `token` parameter of the link in the mail',
})

export const VerifyEmailBody = Type.Object(
  { token: emailToken },
  { additionalProperties: false, examples: [{ token: 'gthm_…' }] },
)

export const ForgotPasswordBody = Type.Object(
  { email },
  { additionalProperties: false, examples: [{ email: 'alice@example.com' }] },
)

export const ResetPasswordBody = Type.Object(
  {
    token: emailToken,
    new_password: Type.String({ description: '8–256 characters, not a common password' }),
  },
  {
    additionalProperties: false,
    examples: [{ token: 'gthm_…', new_password: 'a much longer passphrase' }],
  },
)

export const ChangeEmailBody = Type.Object(
  { email },
  { additionalProperties: false, examples: [{ email: 'alice@new.example' }] },
)

export const Grant = Type.Object({
  client_id: Type.String(),
  client_name: Type.Union([Type.String(), Type.Null()]),
  scopes: Type.Array(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
})

export const GrantList = Page(Grant)

export const GrantParams = Type.Object({ client_id: Type.String({ maxLength: 64 }) })
