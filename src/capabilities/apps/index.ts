/** What other capabilities may use of apps; everything else is its own. */
export { listGrants, withdrawGrant, type GrantView } from './auth/grants.js'
export { describeScope } from './ui/apps-view.js'
