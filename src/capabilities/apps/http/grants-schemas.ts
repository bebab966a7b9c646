import Type from 'typebox'
import { Page } from '../../../http/schemas/common.js'

export const Grant = Type.Object({
  client_id: Type.String(),
  client_name: Type.Union([Type.String(), Type.Null()]),
  scopes: Type.Array(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
})

export const GrantList = Page(Grant)

export const GrantParams = Type.Object({ client_id: Type.String({ maxLength: 64 }) })
