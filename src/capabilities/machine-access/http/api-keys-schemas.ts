import Type from 'typebox'
import { Page } from '../../../http/schemas/common.js'

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ description: 'What the key is for, 1–128 characters' }),
    scopes: Type.Optional(
      Type.Array(Type.String(), {
        maxItems: 32,
        description: 'At most your own scopes; default: all of them',
      }),
    ),
    expires_in: Type.Optional(
      Type.Integer({
        description: 'Seconds until the key expires (60 to 5 years); default: never',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ name: 'nightly report', scopes: ['data:read'], expires_in: 2592000 }],
  },
)

const timestamp = Type.String({ format: 'date-time' })
const nullableTimestamp = Type.Union([timestamp, Type.Null()])

export const ApiKeyItem = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the key' }),
  last4: Type.String({ description: 'The last four characters of the key' }),
  scopes: Type.Array(Type.String()),
  created_at: timestamp,
  last_used_at: nullableTimestamp,
  expires_at: nullableTimestamp,
})

export const CreatedApiKey = Type.Object({
  id: Type.String(),
  key: Type.String({ description: 'The key itself: shown this once, store it now' }),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  created_at: timestamp,
  expires_at: nullableTimestamp,
})

export const ApiKeyList = Page(ApiKeyItem)
