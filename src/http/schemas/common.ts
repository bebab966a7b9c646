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

/** A refused `/login`: an ordinary error, or `mfa_required` with what the second step needs. */
export const LoginRefusalBody = Type.Object(
  {
    msg: Type.String(),
    error: Type.String(),
    details: Type.Optional(Type.Array(Type.String())),
    mfa_token: Type.Optional(
      Type.String({ description: 'mfa_required: give it to POST /login/mfa within 5 minutes' }),
    ),
    factors: Type.Optional(
      Type.Array(Type.Object({ id: Type.String(), type: Type.String(), name: Type.String() })),
    ),
  },
  {
    description: 'An error; with `mfa_required`, the password was right and a second step follows',
    examples: [
      {
        msg: 'A second factor is required',
        error: 'mfa_required',
        mfa_token: 'gthf_…',
        factors: [{ id: '0193…', type: 'totp', name: 'Phone' }],
      },
    ],
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
