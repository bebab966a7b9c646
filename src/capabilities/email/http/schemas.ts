import Type from 'typebox'
import { email } from '../../../http/schemas/credentials.js'

export const MessageResponse = Type.Object({ msg: Type.String() })

/** The token from a mailed link (its `token` query parameter). */
const emailToken = Type.String({
  maxLength: 256,
  description: 'The `token` parameter of the link in the mail',
})

export const VerifyEmailBody = Type.Object(
  { token: emailToken },
  { additionalProperties: false, examples: [{ token: 'gthm_…' }] },
)

export const ForgotPasswordBody = Type.Object(
  { email },
  { additionalProperties: false, examples: [{ email: 'alice@example.com' }] },
)

export const ResetPasswordBody = Type.Object(
  {
    token: emailToken,
    new_password: Type.String({ description: '8–256 characters, not a common password' }),
  },
  {
    additionalProperties: false,
    examples: [{ token: 'gthm_…', new_password: 'a much longer passphrase' }],
  },
)

export const ChangeEmailBody = Type.Object(
  { email },
  { additionalProperties: false, examples: [{ email: 'alice@new.example' }] },
)
