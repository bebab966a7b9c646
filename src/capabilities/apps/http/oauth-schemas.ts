import Type from 'typebox'

/** RFC 6749 §5.2: unknown parameters are ignored, so extra fields are allowed here. */
const clientCredentials = {
  client_id: Type.Optional(Type.String({ description: 'client_secret_post' })),
  client_secret: Type.Optional(Type.String({ description: 'client_secret_post' })),
}

export const TokenRequest = Type.Object(
  {
    grant_type: Type.String({
      description: 'authorization_code, refresh_token or client_credentials',
    }),
    scope: Type.Optional(
      Type.String({ description: 'Space-separated; at most the client’s scopes' }),
    ),
    refresh_token: Type.Optional(Type.String()),
    code: Type.Optional(Type.String({ description: 'authorization_code' })),
    redirect_uri: Type.Optional(
      Type.String({ description: 'authorization_code: the one the code was issued for' }),
    ),
    code_verifier: Type.Optional(
      Type.String({ description: 'authorization_code: PKCE (RFC 7636)' }),
    ),
    ...clientCredentials,
  },
  {
    examples: [
      { grant_type: 'client_credentials', scope: 'data:read' },
      {
        grant_type: 'authorization_code',
        code: 'gtha_…',
        redirect_uri: 'https://app.example/callback',
        code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
        client_id: 'a public client’s id',
      },
    ],
  },
)

export const OAuthTokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.String(),
  refresh_token: Type.Optional(Type.String()),
  id_token: Type.Optional(
    Type.String({ description: 'With the openid scope (OIDC Core §3.1.3.3)' }),
  ),
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

export const UserinfoResponse = Type.Object(
  {
    sub: Type.String(),
    preferred_username: Type.Optional(Type.String()),
    email: Type.Optional(Type.String()),
    email_verified: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true, description: 'OIDC Core §5.3.2' },
)
