import Type from 'typebox'
import { useCookies } from '../../../http/schemas/common.js'

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

export const RefreshBody = Type.Object(
  {
    refresh_token: Type.Optional(
      Type.String({
        description: 'Omit to use the refresh_token_cookie (then X-CSRF-Token is required)',
      }),
    ),
    use_cookies: Type.Optional(useCookies),
  },
  { additionalProperties: false, examples: [{ refresh_token: 'gthr_…' }] },
)
