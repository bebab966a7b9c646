import { createHash } from 'node:crypto'
import { GatehouseError } from '../../../errors/index.js'
import type { OAuthClientRecord } from '../../../store/store.js'
import {
  generateOpaqueToken,
  hashOpaqueToken,
  TOKEN_PREFIXES,
} from '../../../tokens/opaque-token.js'
import type { Principal } from '../../../tokens/principal.js'
import { recordAudit } from '../../../auth/audit.js'
import type { Auth } from '../../../auth/context.js'
import { checkCsrfToken, csrfTokenFor } from '../../sessions/index.js'
import type { RequestContext } from '../../../auth/deps.js'
import { normalizeScopes } from '../../machine-access/index.js'
import { isS256Challenge } from './pkce.js'
import { isRegisteredRedirectUri } from '../../machine-access/index.js'

/** RFC 6749 §4.1.2: "a maximum authorization code lifetime of 10 minutes"; ours is 60 s. */
export const CODE_TTL_MS = 60_000

/** The authorization request's parameters as sent (a repeated one arrives as a list). */
export type AuthorizationParameters = Record<string, string | string[] | undefined>

/** The parameter that carries a finished forced sign-in back (an HMAC-signed time). */
export const LOGIN_AFTER_PARAMETER = 'gatehouse_login_after'

/** What the browser is shown next. */
export type AuthorizationStep =
  /** Back to the app: a code, or an error it must hear (RFC 6749 §4.1.2.1). */
  | { kind: 'redirect'; location: string; client: AppSummary }
  /** Sign in first (again, for `prompt=login` and `max_age`), then come back to `returnTo`. */
  | { kind: 'sign_in'; returnTo: string; loginHint: string | null; client: AppSummary }
  /** Ask the user: the page posts the same parameters back with a decision. */
  | { kind: 'consent'; client: AppSummary; scopes: string[]; parameters: Record<string, string> }

export interface AppSummary {
  id: string
  name: string
  /** The redirect URI the request uses (checked): the pages' CSP lets forms reach it. */
  redirectUri: string
}

interface ValidRequest {
  client: OAuthClientRecord
  redirectUri: string
  state: string | undefined
  scopes: string[]
  nonce: string | null
  codeChallenge: string
  prompts: Set<string>
  maxAge: number | null
  loginHint: string | null
  parameters: Record<string, string>
}

/** A redirect to the app with an error; RFC 9207 `iss` and the request's `state` ride along. */
class AuthorizationRedirectError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description)
  }
}

const PROMPTS = new Set(['none', 'login', 'consent', 'select_account'])
/**
 * Names the consent form adds to a request's parameters itself (its token and answer): a
 * request's own are dropped, so none can be smuggled in. (The forced sign-in's time rides
 * along as it came: it is signed, and checked where it is read.)
 */
const ADDED_BY_THE_CONSENT_FORM = new Set(['csrf', 'decision'])
const MAX_NONCE = 512
const MAX_STATE = 2048

/**
 * The authorization endpoint (RFC 6749 §4.1, OIDC Core §3.1.2), for a browser whose
 * signed-in person is `principal` (or nobody). An unknown client or a redirect URI it did
 * not register is an error page (`invalid_request`, thrown), never a redirect; every other
 * problem goes back to the app. `decision` is the consent page's answer.
 */
export async function authorize(
  auth: Auth,
  raw: AuthorizationParameters,
  principal: Principal | null,
  context: RequestContext,
  requestPath: string,
  decision?: 'allow' | 'deny',
): Promise<AuthorizationStep> {
  const { client, redirectUri } = await clientAndRedirect(auth, raw)
  const summary: AppSummary = { id: client.id, name: client.name, redirectUri }
  const state = single(raw, 'state')
  const back = (location: string): AuthorizationStep => ({
    kind: 'redirect',
    location,
    client: summary,
  })
  let request: ValidRequest
  try {
    request = validate(client, redirectUri, raw)
  } catch (error) {
    if (!(error instanceof AuthorizationRedirectError)) throw error
    // A client asking for tokens in the redirect (an implicit or hybrid client) reads the
    // answer from the fragment (OAuth 2.0 Multiple Response Types §5): say no there.
    const types = (single(raw, 'response_type') ?? '').split(' ')
    const inFragment = types.includes('token') || types.includes('id_token')
    return back(errorRedirect(auth, redirectUri, error, state, inFragment))
  }
  const fail = (error: string, description: string) =>
    back(
      errorRedirect(
        auth,
        redirectUri,
        new AuthorizationRedirectError(error, description),
        request.state,
      ),
    )

  if (principal === null || needsSignIn(auth, request, principal)) {
    if (request.prompts.has('none')) return fail('login_required', 'The user is not signed in')
    return {
      kind: 'sign_in',
      returnTo: `${requestPath}?${new URLSearchParams({
        ...request.parameters,
        [LOGIN_AFTER_PARAMETER]: signedLoginAfter(auth, request, principal),
      }).toString()}`,
      loginHint: request.loginHint,
      client: summary,
    }
  }

  if (decision === 'deny') return fail('access_denied', 'The user refused the request')
  if (decision !== 'allow' && (await needsConsent(auth, request, principal.sub))) {
    if (request.prompts.has('none')) return fail('consent_required', 'The user must consent')
    return {
      kind: 'consent',
      client: summary,
      scopes: request.scopes,
      parameters: request.parameters,
    }
  }
  if (decision === 'allow') await rememberConsent(auth, request, principal.sub, context)
  return back(await issueCode(auth, request, principal))
}

/** The client and redirect URI, or an error page: never send a browser somewhere unproven. */
async function clientAndRedirect(
  auth: Auth,
  raw: AuthorizationParameters,
): Promise<{ client: OAuthClientRecord; redirectUri: string }> {
  const clientId = raw.client_id
  if (typeof clientId !== 'string' || clientId === '' || clientId.length > 64) {
    throw new GatehouseError('invalid_request', 'The request names no known client (client_id)')
  }
  const client = await auth.store.clients.findById(clientId)
  if (client === undefined || !client.grantTypes.includes('authorization_code')) {
    throw new GatehouseError('invalid_request', 'The request names no known client (client_id)')
  }
  const redirectUri = raw.redirect_uri
  if (
    typeof redirectUri !== 'string' ||
    !isRegisteredRedirectUri(client.redirectUris, redirectUri)
  ) {
    throw new GatehouseError(
      'invalid_request',
      `The redirect_uri is not one that ${client.name} registered`,
    )
  }
  return { client, redirectUri }
}

function validate(
  client: OAuthClientRecord,
  redirectUri: string,
  raw: AuthorizationParameters,
): ValidRequest {
  const duplicated = Object.entries(raw).find(([, value]) => Array.isArray(value))
  if (duplicated) redirectError('invalid_request', `${duplicated[0]} is repeated`)
  const value = (name: string) => single(raw, name)
  if (value('request') !== undefined) {
    redirectError('request_not_supported', 'Request objects are not supported')
  }
  if (value('request_uri') !== undefined) {
    redirectError('request_uri_not_supported', 'request_uri is not supported')
  }
  const responseType = value('response_type')
  if (responseType === undefined) redirectError('invalid_request', 'response_type is required')
  if (responseType !== 'code') {
    redirectError('unsupported_response_type', 'Only response_type=code is supported')
  }
  const responseMode = value('response_mode')
  if (responseMode !== undefined && responseMode !== 'query') {
    redirectError('invalid_request', 'Only response_mode=query is supported')
  }
  const state = value('state')
  if (state !== undefined && state.length > MAX_STATE)
    redirectError('invalid_request', 'state is too long')
  const challenge = value('code_challenge')
  if (challenge === undefined) {
    redirectError('invalid_request', 'PKCE is required: send code_challenge with S256')
  }
  // RFC 7636 §4.3: no method means plain, which RFC 9700 §2.1.1 rules out.
  if (value('code_challenge_method') !== 'S256') {
    redirectError('invalid_request', 'code_challenge_method must be S256')
  }
  if (!isS256Challenge(challenge)) redirectError('invalid_request', 'code_challenge is malformed')

  const prompts = new Set((value('prompt') ?? '').split(' ').filter((p) => p !== ''))
  for (const prompt of prompts) {
    if (!PROMPTS.has(prompt))
      redirectError('invalid_request', `Unknown prompt value ${prompt.slice(0, 32)}`)
  }
  if (prompts.has('none') && prompts.size > 1) {
    redirectError('invalid_request', 'prompt=none cannot be combined with other values')
  }
  const maxAgeText = value('max_age')
  let maxAge: number | null = null
  if (maxAgeText !== undefined) {
    if (!/^\d{1,9}$/.test(maxAgeText))
      redirectError('invalid_request', 'max_age must be a number of seconds')
    maxAge = Number(maxAgeText)
  }
  const nonce = value('nonce') ?? null
  if (nonce !== null && nonce.length > MAX_NONCE)
    redirectError('invalid_request', 'nonce is too long')

  const scopes = grantableScopes(client, value('scope'), prompts)
  const parameters: Record<string, string> = {}
  for (const [name, text] of Object.entries(raw)) {
    if (typeof text === 'string' && !ADDED_BY_THE_CONSENT_FORM.has(name)) parameters[name] = text
  }
  const loginHint = value('login_hint')
  return {
    client,
    redirectUri,
    state,
    scopes,
    nonce,
    codeChallenge: challenge,
    prompts,
    maxAge,
    loginHint: loginHint !== undefined && loginHint.length <= 254 ? loginHint : null,
    parameters,
  }
}

/**
 * The scopes this request can get: those asked for that the client may have, in the
 * order asked. Scopes nobody here knows (OIDC `address`, `phone`) are ignored (OIDC Core
 * §3.1.2.1); `offline_access` only with `prompt=consent` or for a first-party client
 * (§11). Nothing left is `invalid_scope`.
 */
function grantableScopes(
  client: OAuthClientRecord,
  scope: string | undefined,
  prompts: Set<string>,
): string[] {
  if (scope === undefined || scope.trim() === '')
    redirectError('invalid_scope', 'scope is required')
  let requested: string[]
  try {
    requested = normalizeScopes(scope.split(' ').filter((s) => s !== ''))
  } catch (error) {
    if (error instanceof GatehouseError) redirectError('invalid_scope', error.message)
    throw error
  }
  const offlineAllowed = client.skipConsent || prompts.has('consent')
  const granted = requested.filter(
    (s) => client.scopes.includes(s) && (s !== 'offline_access' || offlineAllowed),
  )
  if (granted.length === 0 || (granted.length === 1 && granted[0] === 'offline_access')) {
    redirectError('invalid_scope', 'None of the requested scopes is allowed for this client')
  }
  return granted
}

/**
 * `prompt=login`, or `max_age` passed (`max_age=0`: always, OIDC Core §3.1.2.1), and no
 * sign-in made for this very request since it asked for one.
 */
function needsSignIn(auth: Auth, request: ValidRequest, principal: Principal): boolean {
  const authTime = principal.auth_time ?? 0
  const now = Math.floor(auth.clock.now() / 1000)
  const tooOld =
    request.maxAge !== null && (request.maxAge === 0 || now - authTime > request.maxAge)
  if (!request.prompts.has('login') && !tooOld) return false
  const proof = verifiedLoginAfter(auth, request, request.parameters[LOGIN_AFTER_PARAMETER])
  // A sign-in happened since: a session other than the one the request found, at or
  // after the time it asked (seconds alone cannot tell a sign-in in the same second).
  return proof === null || authTime < proof.at || sessionTag(principal) === proof.session
}

/**
 * The proof a forced sign-in is asked for: when, which session the browser had then, and
 * a MAC over both and over the authorization request itself, so that it counts for this
 * request only and no one else can make one.
 */
function signedLoginAfter(auth: Auth, request: ValidRequest, principal: Principal | null): string {
  const at = String(Math.floor(auth.clock.now() / 1000))
  const session = sessionTag(principal)
  return `${at}.${session}.${csrfTokenFor(auth, loginAfterSubject(at, session, request))}`
}

function verifiedLoginAfter(
  auth: Auth,
  request: ValidRequest,
  value: string | undefined,
): { at: number; session: string } | null {
  if (value === undefined) return null
  const [at, session, mac, extra] = value.split('.')
  if (at === undefined || session === undefined || mac === undefined || extra !== undefined)
    return null
  if (!/^\d{1,12}$/.test(at) || !/^[A-Za-z0-9_-]{1,22}$/.test(session)) return null
  return checkCsrfToken(auth, loginAfterSubject(at, session, request), mac)
    ? { at: Number(at), session }
    : null
}

/** A short digest of the browser session's id (no id travels in a URL), or `-` for none. */
function sessionTag(principal: Principal | null): string {
  if (principal?.sid === undefined) return '-'
  return createHash('sha256').update(principal.sid).digest('base64url').slice(0, 16)
}

/** What the MAC covers: the time, the session, and every other parameter of the request. */
function loginAfterSubject(at: string, session: string, request: ValidRequest): string {
  const parameters = Object.entries(request.parameters)
    .filter(([name]) => name !== LOGIN_AFTER_PARAMETER)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const digest = createHash('sha256').update(JSON.stringify(parameters)).digest('base64url')
  return `login-after:${at}:${session}:${digest}`
}

async function needsConsent(auth: Auth, request: ValidRequest, userId: string): Promise<boolean> {
  if (request.client.skipConsent) return false
  if (request.prompts.has('consent')) return true
  const remembered = await auth.store.consents.find(userId, request.client.id)
  return remembered === undefined || request.scopes.some((s) => !remembered.scopes.includes(s))
}

async function rememberConsent(
  auth: Auth,
  request: ValidRequest,
  userId: string,
  context: RequestContext,
): Promise<void> {
  const now = auth.clock.now()
  const before = await auth.store.consents.find(userId, request.client.id)
  const scopes = [...new Set([...(before?.scopes ?? []), ...request.scopes])]
  await auth.store.consents.save({
    userId,
    clientId: request.client.id,
    scopes,
    createdAt: before?.createdAt ?? now,
    updatedAt: now,
  })
  await recordAudit(auth, 'consent_granted', context, userId, {
    client_id: request.client.id,
    scope: scopes.join(' '),
  })
}

async function issueCode(auth: Auth, request: ValidRequest, principal: Principal): Promise<string> {
  const code = generateOpaqueToken(TOKEN_PREFIXES.authorizationCode)
  const now = auth.clock.now()
  await auth.store.authorizationCodes.insert({
    codeHash: hashOpaqueToken(code),
    clientId: request.client.id,
    userId: principal.sub,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    scopes: request.scopes,
    nonce: request.nonce,
    authTime: (principal.auth_time ?? Math.floor(now / 1000)) * 1000,
    amr: principal.amr ?? [],
    browserSessionId: principal.sid ?? null,
    createdAt: now,
    expiresAt: now + CODE_TTL_MS,
  })
  return withParameters(request.redirectUri, {
    code,
    ...(request.state !== undefined && { state: request.state }),
    iss: auth.settings.issuer,
  })
}

function errorRedirect(
  auth: Auth,
  redirectUri: string,
  error: AuthorizationRedirectError,
  state: string | undefined,
  inFragment = false,
): string {
  const parameters = {
    error: error.error,
    error_description: error.description,
    ...(state !== undefined && { state }),
    iss: auth.settings.issuer,
  }
  if (!inFragment) return withParameters(redirectUri, parameters)
  const url = new URL(redirectUri)
  url.hash = new URLSearchParams(parameters).toString()
  return url.toString()
}

/** The redirect URI with these query parameters added (its own query kept, §3.1.2). */
function withParameters(uri: string, parameters: Record<string, string>): string {
  const url = new URL(uri)
  for (const [name, value] of Object.entries(parameters)) url.searchParams.append(name, value)
  return url.toString()
}

function single(raw: AuthorizationParameters, name: string): string | undefined {
  const value = raw[name]
  return typeof value === 'string' ? value : undefined
}

function redirectError(error: string, description: string): never {
  throw new AuthorizationRedirectError(error, description)
}

/**
 * The redirect URI of an authorization request at `path?query` if its client registered
 * it, else null: the pages let the forms that lead there end at the app.
 */
export async function registeredRedirectOf(
  auth: Auth,
  authorizePath: string,
  returnTo: string,
): Promise<string | null> {
  if (!returnTo.startsWith(`${authorizePath}?`)) return null
  const query = new URLSearchParams(returnTo.slice(authorizePath.length + 1))
  const clientId = query.get('client_id')
  const redirectUri = query.get('redirect_uri')
  if (clientId === null || redirectUri === null || clientId.length > 64) return null
  const client = await auth.store.clients.findById(clientId)
  return client && isRegisteredRedirectUri(client.redirectUris, redirectUri) ? redirectUri : null
}
