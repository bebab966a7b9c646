/** What other capabilities may use of sessions; everything else is its own. */
export { authenticate, authenticateAccessToken } from './auth/authenticate.js'
export { checkCsrfToken, csrfTokenFor } from './auth/csrf.js'
export { withPasswordAttempt } from './auth/lockout.js'
export { login, type LoginInput } from './auth/login.js'
export { refresh } from './auth/refresh.js'
export {
  endSessionsOf,
  revokeAccessToken,
  revokeSessionTokens,
  revokeSubjectUntilNow,
} from './auth/revocation.js'
export {
  listSessions,
  logout,
  revokeSession,
  type LogoutScope,
  type SessionView,
} from './auth/sessions.js'
export { completeSignIn } from './auth/sign-in.js'
export { FIRST_PARTY_CLIENT_ID, isFirstPartyToken, type TokenPair } from './auth/token-pair.js'
