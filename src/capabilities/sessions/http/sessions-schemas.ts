import Type from 'typebox'
import { Page } from '../../../http/schemas/common.js'

export const SessionItem = Type.Object({
  id: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  last_used_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time' }),
  ip: Type.Union([Type.String(), Type.Null()]),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean({ description: 'The session of the token making this request' }),
  client_id: Type.String({
    description: '`gatehouse` for a sign-in here, else the app the session belongs to',
  }),
})

export const SessionList = Page(SessionItem)
