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
