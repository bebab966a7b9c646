import Type, { type TSchema } from 'typebox'

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

export const timestamp = Type.String({ format: 'date-time' })

/** `?cursor=&limit=` of every list (keyset pagination; the cursor is opaque). */
export const pageParams = {
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
}

export const PageQuery = Type.Object(pageParams, { additionalProperties: false })

/** Every list answers `{"items": [...], "next_cursor": "<opaque>" | null}`. */
export const Page = <Item extends TSchema>(item: Item) =>
  Type.Object({
    items: Type.Array(item),
    next_cursor: Type.Union([Type.String(), Type.Null()]),
  })

/** `/{id}` of a resource: our ids are UUIDs; anything longer cannot be one. */
export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) })

export const useCookies = Type.Boolean({
  description:
    'Deliver the tokens as HttpOnly cookies (plus readable CSRF cookies) instead of in the body',
})
