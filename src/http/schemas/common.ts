import Type from 'typebox'

export const ErrorBody = Type.Object(
  {
    msg: Type.String({ description: 'Human-readable explanation' }),
    error: Type.String({ description: 'Stable machine-readable code' }),
    details: Type.Optional(Type.Array(Type.String())),
  },
  {
    description: 'Every error response has this shape',
    examples: [{ msg: 'Bad username or password', error: 'invalid_credentials' }],
  },
)

export const MessageBody = Type.Object({ msg: Type.String() })
