import { compactVerify, type CompactJWSHeaderParameters } from 'jose'
import { GatehouseError } from '../../../errors/index.js'
import type { OAuthClientRecord } from '../../../store/store.js'
import type { Auth } from '../../../auth/context.js'
import { ID_TOKEN_ALGORITHMS } from '../../machine-access/index.js'

export interface EndSessionParameters {
  id_token_hint?: string | undefined
  client_id?: string | undefined
  post_logout_redirect_uri?: string | undefined
  state?: string | undefined
}

export interface EndSessionPlan {
  /** The user the hint names, when it is one of our ID tokens (expired ones included). */
  hintedUser: string | null
  /** The browser session the hint was issued in (its `sid`), when it names one. */
  hintedSession: string | null
  /** Where to go once signed out: a registered post-logout URI (with `state`), else null. */
  location: string | null
  /** The app that asked, if known, to name it on the page. */
  clientName: string | null
}

/**
 * OpenID Connect RP-Initiated Logout 1.0 §2–3: who asks (the `id_token_hint`'s audience or
 * `client_id`, which must agree), and where the browser may go afterwards: only a
 * `post_logout_redirect_uri` that app registered, exactly. Anything else is an error page,
 * never a redirect. The caller ends the browser's session: at once with a hint issued in
 * this browser session (its `sid`), after the user confirms otherwise (§2: the OP asks
 * when the hint does not belong to the current session).
 */
export async function planEndSession(
  auth: Auth,
  parameters: EndSessionParameters,
): Promise<EndSessionPlan> {
  const hint =
    parameters.id_token_hint === undefined
      ? null
      : await readIdTokenHint(auth, parameters.id_token_hint)
  if (
    hint !== null &&
    parameters.client_id !== undefined &&
    parameters.client_id !== hint.clientId
  ) {
    throw new GatehouseError('invalid_request', 'client_id does not match the id_token_hint')
  }
  const clientId = hint?.clientId ?? parameters.client_id
  let client: OAuthClientRecord | undefined
  if (clientId !== undefined) {
    client = await auth.store.clients.findById(clientId)
    if (client === undefined) throw new GatehouseError('invalid_request', 'Unknown client_id')
  }
  let location: string | null = null
  const uri = parameters.post_logout_redirect_uri
  if (uri !== undefined) {
    if (client === undefined) {
      throw new GatehouseError(
        'invalid_request',
        'post_logout_redirect_uri needs id_token_hint or client_id to say whose it is',
      )
    }
    if (!client.postLogoutRedirectUris.includes(uri)) {
      throw new GatehouseError(
        'invalid_request',
        `The post_logout_redirect_uri is not one that ${client.name} registered`,
      )
    }
    const url = new URL(uri)
    if (parameters.state !== undefined) url.searchParams.append('state', parameters.state)
    location = url.toString()
  }
  return {
    hintedUser: hint?.userId ?? null,
    hintedSession: hint?.sid ?? null,
    location,
    clientName: client?.name ?? null,
  }
}

/** One of our ID tokens (signature and issuer; expiry does not matter for a hint). */
async function readIdTokenHint(
  auth: Auth,
  token: string,
): Promise<{ userId: string; clientId: string; sid: string | null }> {
  try {
    const { payload } = await compactVerify(
      token,
      (header: CompactJWSHeaderParameters) => {
        const key =
          header.kid === undefined ? undefined : auth.keyRing.anyVerificationKey(header.kid)
        if (key === undefined) throw new Error('unknown kid')
        return key
      },
      { algorithms: [...ID_TOKEN_ALGORITHMS] },
    )
    const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>
    const aud: unknown = Array.isArray(claims.aud) ? (claims.aud as unknown[])[0] : claims.aud
    if (
      claims.iss !== auth.settings.issuer ||
      typeof claims.sub !== 'string' ||
      typeof aud !== 'string'
    ) {
      throw new Error('not an ID token of ours')
    }
    return {
      userId: claims.sub,
      clientId: aud,
      sid: typeof claims.sid === 'string' ? claims.sid : null,
    }
  } catch {
    throw new GatehouseError(
      'invalid_request',
      'The id_token_hint is not an ID token of this server',
    )
  }
}
