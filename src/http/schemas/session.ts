import Type from 'typebox'

export const LogoutBody = Type.Object(
  {
    scope: Type.Optional(
      Type.Union([Type.Literal('local'), Type.Literal('others'), Type.Literal('global')], {
        description: 'local: this session (default); others: every other session; global: all',
      }),
    ),
  },
  { additionalProperties: false, examples: [{ scope: 'global' }] },
)

export const LogoutResponse = Type.Object({
  msg: Type.String(),
  sessions_revoked: Type.Integer(),
})

export const MeResponse = Type.Object({
  id: Type.String(),
  username: Type.String(),
  roles: Type.Array(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
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

export const PageQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
)

export const SessionItem = Type.Object({
  id: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  last_used_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time' }),
  ip: Type.Union([Type.String(), Type.Null()]),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean({ description: 'The session of the token making this request' }),
})

export const SessionList = Type.Object({
  items: Type.Array(SessionItem),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
})

export const SessionParams = Type.Object({ id: Type.String({ maxLength: 64 }) })
