/** What other capabilities may use of email; everything else is its own. */
export { sendEmailVerification } from './auth/email-verification.js'
export { normalizeEmail } from './auth/email.js'
export { sendSecurityNotice } from './auth/mail.js'
