import Type from 'typebox'
import { useCookies } from '../../../http/schemas/common.js'

const code = Type.String({ maxLength: 64, description: 'The 6 digits the authenticator app shows' })

export const MfaLoginBody = Type.Object(
  {
    mfa_token: Type.String({ maxLength: 128, description: 'From the 401 of POST /login' }),
    code: Type.Optional(code),
    recovery_code: Type.Optional(
      Type.String({ maxLength: 64, description: 'One of the recovery codes, instead of a code' }),
    ),
    passkey: Type.Optional(
      Type.Object(
        {
          flow_id: Type.String({ maxLength: 64 }),
          response: Type.Record(Type.String(), Type.Unknown()),
        },
        {
          additionalProperties: false,
          description: 'A passkey, after POST /login/mfa/passkey/options',
        },
      ),
    ),
    use_cookies: Type.Optional(useCookies),
  },
  { additionalProperties: false, examples: [{ mfa_token: 'gthf_…', code: '123456' }] },
)

export const Factor = Type.Object({
  id: Type.String(),
  type: Type.Union([Type.Literal('totp'), Type.Literal('passkey')]),
  name: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  last_used_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})

export const FactorList = Type.Object({
  factors: Type.Array(Factor),
  recovery_codes_left: Type.Integer(),
})

export const TotpStartBody = Type.Object(
  { name: Type.Optional(Type.String({ maxLength: 100 })) },
  { additionalProperties: false, examples: [{ name: 'Phone' }] },
)

export const TotpSetupResponse = Type.Object({
  id: Type.String(),
  secret: Type.String({ description: 'Base32, for typing into an app' }),
  otpauth_uri: Type.String({ description: 'otpauth://totp/…, what a QR code carries' }),
})

const keepOtherSessions = Type.Optional(
  Type.Boolean({
    default: false,
    description:
      'With the first factor every other session of the account ends (they did not pass it); true keeps them',
  }),
)
const sessionsRevoked = Type.Optional(
  Type.Integer({ description: 'Other sessions ended by enrolling the first factor' }),
)

export const TotpVerifyBody = Type.Object(
  { code, keep_other_sessions: keepOtherSessions },
  { additionalProperties: false, examples: [{ code: '123456' }] },
)

export const RecoveryCodes = Type.Array(Type.String(), {
  description: 'Ten single-use codes, shown only now',
})

export const TotpVerifyResponse = Type.Object({
  msg: Type.String(),
  recovery_codes: Type.Optional(RecoveryCodes),
  sessions_revoked: sessionsRevoked,
})

export const RecoveryCodesResponse = Type.Object({ recovery_codes: RecoveryCodes })

/** A WebAuthn credential as @simplewebauthn/browser returns it (checked by the server library). */
const WebAuthnResponse = Type.Record(Type.String(), Type.Unknown(), {
  description: 'The credential JSON of startRegistration / startAuthentication',
})
const flowId = Type.String({ maxLength: 64, description: 'From the options answer' })

export const PasskeyOptionsResponse = Type.Object({
  flow_id: Type.String(),
  options: Type.Unknown({ description: 'WebAuthn options JSON, for @simplewebauthn/browser' }),
})

export const PasskeyRegisterBody = Type.Object(
  {
    flow_id: flowId,
    response: WebAuthnResponse,
    name: Type.Optional(Type.String({ maxLength: 100 })),
    keep_other_sessions: keepOtherSessions,
  },
  {
    additionalProperties: false,
    examples: [{ flow_id: 'wf_…', response: { id: '…', type: 'public-key' }, name: 'Laptop' }],
  },
)

export const PasskeyRegisteredResponse = Type.Object({
  id: Type.String(),
  type: Type.Literal('passkey'),
  name: Type.String(),
  recovery_codes: Type.Optional(RecoveryCodes),
  sessions_revoked: sessionsRevoked,
})

export const PasskeySignInBody = Type.Object(
  { flow_id: flowId, response: WebAuthnResponse, use_cookies: Type.Optional(useCookies) },
  {
    additionalProperties: false,
    examples: [{ flow_id: 'wf_…', response: { id: '…', type: 'public-key' } }],
  },
)

export const SecondStepPasskeyOptionsBody = Type.Object(
  { mfa_token: Type.String({ maxLength: 128 }) },
  { additionalProperties: false, examples: [{ mfa_token: 'gthf_…' }] },
)
