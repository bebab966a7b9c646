/**
 * What other capabilities may use of email. They never call it to react: they record
 * events, and email reacts (auth/reactions.ts).
 */
export { pendingEmailChange, requestEmailChange } from './auth/email-change.js'
export { resendEmailVerification } from './auth/email-verification.js'
export { deliverAllDueMail } from './auth/mail.js'
