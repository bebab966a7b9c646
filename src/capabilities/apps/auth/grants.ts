import { GatehouseError } from '../../../errors/index.js'
import type { ConsentRecord } from '../../../store/store.js'
import type { Principal } from '../../../tokens/principal.js'
import { recordAudit } from '../../../auth/audit.js'
import type { AuthDeps, RequestContext } from '../../../auth/deps.js'
import { paginate, type Page, type PageRequest } from '../../../auth/pagination.js'
import { endSessionsOf } from '../../sessions/index.js'

export interface GrantView {
  clientId: string
  /** The app's name as registered; null if the app was deleted meanwhile. */
  clientName: string | null
  scopes: string[]
  createdAt: number
  updatedAt: number
}

/** The apps the user consented to, and to what (`GET /me/grants`), newest first. */
export async function listGrants(
  deps: AuthDeps,
  principal: Principal,
  request: PageRequest,
): Promise<Page<GrantView>> {
  const page = await paginate(
    request,
    (after) => deps.store.consents.listForUser(principal.sub, after),
    (consent) => ({ at: consent.updatedAt, id: consent.clientId }),
    (consent: ConsentRecord) => consent,
  )
  const items = await Promise.all(
    page.items.map(async (consent) => ({
      clientId: consent.clientId,
      clientName: (await deps.store.clients.findById(consent.clientId))?.name ?? null,
      scopes: consent.scopes,
      createdAt: consent.createdAt,
      updatedAt: consent.updatedAt,
    })),
  )
  return { items, nextCursor: page.nextCursor }
}

/**
 * Withdraws the consent to an app: it is asked again next time, and every session and
 * token it holds for the user ends now (refresh tokens at once, access tokens through the
 * revocation list). Returns how many sessions ended.
 */
export async function withdrawGrant(
  deps: AuthDeps,
  principal: Principal,
  clientId: string,
  context: RequestContext,
): Promise<number> {
  const withdrawn = await deps.store.consents.delete(principal.sub, clientId)
  const ended = await endSessionsOf(deps, principal.sub, { clientId })
  if (!withdrawn && ended.length === 0) throw new GatehouseError('not_found', 'No such grant')
  await recordAudit(deps, 'consent_withdrawn', context, principal.sub, {
    client_id: clientId,
    sessions_revoked: ended.length,
  })
  return ended.length
}
