import type { RequestContext } from '../auth/deps.js'

/** How changes made from the command line appear in the audit log. */
export const CLI_REQUEST: RequestContext = { ip: null, userAgent: 'gatehouse cli' }
