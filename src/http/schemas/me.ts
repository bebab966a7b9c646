import Type from 'typebox'

export const MeResponse = Type.Object({
  id: Type.String(),
  username: Type.String(),
  roles: Type.Array(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  email: Type.Union([Type.String(), Type.Null()]),
  email_verified: Type.Boolean(),
})

export const ChangePasswordBody = Type.Object(
  { current_password: Type.String(), new_password: Type.String() },
  {
    additionalProperties: false,
    examples: [{ current_password: 'password1', new_password: 'a much longer passphrase' }],
  },
)

export const ChangePasswordResponse = Type.Object({
  msg: Type.String(),
  sessions_revoked: Type.Integer(),
})

export const MessageResponse = Type.Object({ msg: Type.String() })

export const VerifyEmailBody = Type.Object(
  {
    token: Type.String({
      maxLength: 256,
      description: 'The `token` parameter of the link in the mail',
    }),
  },
  { additionalProperties: false, examples: [{ token: 'gthm_…' }] },
)
