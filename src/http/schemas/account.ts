import Type from 'typebox'

/** Unknown fields (such as `role`) are refused: a client can never choose its roles. */
export const CredentialsBody = Type.Object(
  {
    username: Type.String({
      description: '3–64 letters, digits or . _ - @ (NFKC, case-insensitive)',
    }),
    password: Type.String({ description: '8–256 characters, not a common password' }),
  },
  { additionalProperties: false },
)

export const TokenResponse = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires' }),
})
