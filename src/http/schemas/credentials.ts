import Type from 'typebox'
import { useCookies } from './common.js'

const username = Type.String({
  description: '3–64 letters, digits or . _ - @ (NFKC, case-insensitive)',
})
const password = Type.String({ description: '8–256 characters, not a common password' })
/** Checked by the use case (`invalid_email`), so every way in answers alike. */
export const email = Type.String({
  maxLength: 1024,
  description: 'An email address (at most 254 characters); unique, compared case-insensitively',
})

/** Unknown fields (such as `role`) are refused: a client can never choose its roles. */
export const RegisterBody = Type.Object(
  { username, password, email: Type.Optional(email) },
  {
    additionalProperties: false,
    examples: [
      { username: 'alice', password: 'correct horse battery staple' },
      { username: 'bob', password: 'correct horse battery staple', email: 'bob@example.com' },
    ],
  },
)

export const LoginBody = Type.Object(
  { username, password, use_cookies: Type.Optional(useCookies) },
  {
    additionalProperties: false,
    examples: [{ username: 'user1', password: 'password1' }],
  },
)

export const TokenResponse = Type.Object(
  {
    access_token: Type.String(),
    refresh_token: Type.String(),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ description: 'Seconds until the access token expires' }),
  },
  {
    examples: [
      {
        access_token: 'eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCIs…',
        refresh_token: 'gthr_…',
        token_type: 'Bearer',
        expires_in: 900,
      },
    ],
  },
)

export const CookieLoginResponse = Type.Object({
  msg: Type.String(),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires' }),
})

export const TokenOrCookieResponse = Type.Union([TokenResponse, CookieLoginResponse])

/** The answer to a password change or reset: what ended with the old password. */
export const ChangePasswordResponse = Type.Object({
  msg: Type.String(),
  sessions_revoked: Type.Integer(),
  api_keys_revoked: Type.Optional(Type.Integer()),
})
