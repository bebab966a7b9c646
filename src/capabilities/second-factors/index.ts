/** What other capabilities may use of second-factors; everything else is its own. */
export { registerPasskey } from './auth/passkeys.js'
export {
  listFactors,
  pendingTotpSetup,
  regenerateRecoveryCodes,
  removeFactor,
  resetUserMfa,
  startTotpFactor,
  verifyTotpFactor,
  type TotpSetup,
} from './auth/second-factors.js'
export { MfaPage } from './ui/mfa-view.js'
export { passkeyAnswer, secondStepOf } from './ui/mfa.js'
export { PasskeyForm } from './ui/passkey-view.js'
export {
  SecondFactors,
  type SecondFactorsView,
  type TotpSetupView,
} from './ui/second-factors-view.js'
