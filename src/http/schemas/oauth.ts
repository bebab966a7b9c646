import Type from 'typebox'

/** RFC 6749 §5.2: unknown parameters are ignored, so extra fields are allowed here. */
const clientCredentials = {
  client_id: Type.Optional(Type.String({ description: 'client_secret_post' })),
  client_secret: Type.Optional(Type.String({ description: 'client_secret_post' })),
}

export const TokenRequest = Type.Object(
  {
    grant_type: Type.String({ description: 'client_credentials or refresh_token' }),
    scope: Type.Optional(
      Type.String({ description: 'Space-separated; at most the client’s scopes' }),
    ),
    refresh_token: Type.Optional(Type.String()),
    ...clientCredentials,
  },
  { examples: [{ grant_type: 'client_credentials', scope: 'data:read' }] },
)

export const OAuthTokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.String(),
  refresh_token: Type.Optional(Type.String()),
})

export const TokenParameter = Type.Object(
  {
    token: Type.String(),
    token_type_hint: Type.Optional(Type.String()),
    ...clientCredentials,
  },
  { examples: [{ token: 'gthk_…', token_type_hint: 'api_key' }] },
)

export const IntrospectionResponse = Type.Object(
  { active: Type.Boolean() },
  { additionalProperties: true, description: 'RFC 7662 §2.2' },
)

export const OAuthErrorBody = Type.Object({
  error: Type.String(),
  error_description: Type.String(),
})
