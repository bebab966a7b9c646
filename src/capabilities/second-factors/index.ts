/** What other capabilities may use of second-factors; everything else is its own. */
export { resetUserMfa } from './auth/second-factors.js'
