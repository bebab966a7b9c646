import Type from 'typebox'

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
