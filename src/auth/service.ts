import type { Clock } from '../clock.js'
import { GatehouseError } from '../errors/index.js'
import type { Store } from '../store/store.js'
import { createAccessTokenVerifier, type AccessTokenClaims } from '../tokens/access-token.js'
import { deriveKey, mac, safeEqual } from '../tokens/derive-key.js'
import type { PasswordHasher } from '../tokens/password.js'
import { createKeyRing, type Jwks, type SigningAlgorithm } from '../tokens/signing-keys.js'
import {
  createUserAsAdmin,
  deleteUser,
  getUser,
  listUsers,
  updateUser,
  type AdminUserView,
  type UserUpdate,
} from './admin-users.js'
import {
  createApiKey,
  createApiKeyAuthenticator,
  listApiKeys,
  type ApiKeyView,
  type CreateApiKeyInput,
  type CreatedApiKey,
} from './api-keys.js'
import { recordAudit } from './audit.js'
import { changePassword, type ChangePasswordInput } from './change-password.js'
import {
  authenticateClient,
  createClient,
  deleteClient,
  issueClientToken,
  listClients,
  type ClientToken,
  type ClientView,
  type CreateClientInput,
  type CreatedClient,
} from './clients.js'
import { actorId, assertFreshActor, type Actor } from './actor.js'
import { introspect, revokeToken, type Introspection } from './oauth-tokens.js'
import type { AuditEventRecord, AuditFilter, OAuthClientRecord, PageAfter } from '../store/store.js'
import { TOKEN_PREFIXES } from '../tokens/opaque-token.js'
import type {
  AdditionalClaims,
  AuthDeps,
  AuthSettings,
  Bus,
  ClusterEvent,
  Lockout,
  RequestContext,
  Revocations,
} from './deps.js'
import { login, type LoginInput } from './login.js'
import { paginate, type Page, type PageRequest } from './pagination.js'
import { refresh } from './refresh.js'
import { loadRevocations } from './revocation.js'
import {
  listSessions,
  logout,
  revokeSession,
  type LogoutScope,
  type SessionView,
} from './sessions.js'
import type { TelemetrySink } from '../telemetry.js'
import type { TokenPair } from './token-pair.js'
import {
  createUser,
  ensureDemoUsers,
  NO_REQUEST,
  setUserRoles,
  toPublicUser,
  type CreateUserInput,
  type PublicUser,
} from './users.js'

/** The verified access token (or API key) of a request. */
export type Principal = AccessTokenClaims

export interface AuthService {
  register(
    input: { username: string; password: string },
    context: RequestContext,
  ): Promise<PublicUser>
  login(input: LoginInput, context: RequestContext): Promise<TokenPair>
  refresh(refreshToken: string, context: RequestContext): Promise<TokenPair>
  /** Returns how many sessions ended. */
  logout(principal: Principal, scope: LogoutScope, context: RequestContext): Promise<number>
  /**
   * Verifies an access token and that it is not revoked. Synchronous for tokens seen
   * before (the hot path: no I/O, no promise), a promise otherwise. Throws
   * `GatehouseError` (`invalid_token`, `token_expired`, `token_revoked`).
   */
  authenticate(token: string): Principal | Promise<Principal>
  me(principal: Principal): Promise<PublicUser>
  changePassword(
    principal: Principal,
    input: ChangePasswordInput,
    context: RequestContext,
  ): Promise<number>
  listSessions(principal: Principal, request: PageRequest): Promise<Page<SessionView>>
  revokeSession(principal: Principal, sessionId: string, context: RequestContext): Promise<void>
  /** The CSRF token bound to a credential (an access token's jti, a refresh token). */
  csrfTokenFor(binding: string): string
  /** Whether a presented CSRF token is the one bound to the credential. */
  checkCsrfToken(binding: string, presented: string): boolean
  createApiKey(
    owner: Principal,
    input: CreateApiKeyInput,
    context: RequestContext,
  ): Promise<CreatedApiKey>
  listApiKeys(owner: Principal, request: PageRequest): Promise<Page<ApiKeyView>>
  revokeApiKey(owner: Principal, id: string, context: RequestContext): Promise<void>
  /** Verifies client credentials; `invalid_client` otherwise. */
  authenticateClient(
    clientId: string,
    clientSecret: string,
    context: RequestContext,
  ): Promise<OAuthClientRecord>
  issueClientToken(
    client: OAuthClientRecord,
    scopes: string[] | undefined,
    context: RequestContext,
  ): Promise<ClientToken>
  /** RFC 7662; only clients an admin allowed to introspect may (`unauthorized_client`). */
  introspect(caller: OAuthClientRecord, token: string): Promise<Introspection>
  revokeToken(caller: OAuthClientRecord, token: string, context: RequestContext): Promise<void>
  createClient(
    input: CreateClientInput,
    context: RequestContext,
    actor: Actor,
  ): Promise<CreatedClient>
  listClients(request: PageRequest): Promise<Page<ClientView>>
  deleteClient(clientId: string, context: RequestContext, actorId: string | null): Promise<void>
  listUsers(
    query: { search?: string | undefined },
    request: PageRequest,
  ): Promise<Page<AdminUserView>>
  getUser(id: string): Promise<AdminUserView>
  createUserAsAdmin(
    input: CreateUserInput,
    actor: Actor,
    context: RequestContext,
  ): Promise<AdminUserView>
  updateUser(
    id: string,
    update: UserUpdate,
    actor: Actor,
    context: RequestContext,
  ): Promise<AdminUserView>
  deleteUser(id: string, actorId: string, context: RequestContext): Promise<void>
  listAudit(filter: AuditFilter, request: PageRequest): Promise<Page<AuditEventRecord>>
  /** Every matching audit event, oldest first, read in pages as the caller consumes them. */
  exportAudit(filter: AuditFilter): AsyncIterable<AuditEventRecord>
  rotateSigningKeys(
    actor: Actor,
    context: RequestContext,
  ): Promise<{ current: string; next: string }>
  /**
   * Pulls a compromised signing key: out of the JWKS and refused for every token it signed,
   * here at once and on other instances as soon as they hear (Redis or the primary: at
   * once; otherwise at their next upkeep).
   */
  revokeSigningKey(
    kid: string,
    actor: Actor,
    context: RequestContext,
  ): Promise<{ current: string; next: string }>
  listSigningKeys(): { kid: string; alg: string; status: string; createdAt: number }[]
  /**
   * Periodic upkeep, safe on every instance: picks up keys rotated elsewhere, rotates when
   * the current key is older than the configured interval, purges expired revocations.
   */
  runMaintenance(): Promise<void>
  /** Applies what another instance published (revocations, key changes, evictions). */
  applyClusterEvent(event: ClusterEvent): Promise<void>
  createUser(input: CreateUserInput): Promise<PublicUser>
  setUserRoles(username: string, roles: readonly string[]): Promise<PublicUser>
  ensureDemoUsers(): Promise<string[]>
  jwks(): Jwks
  /** Algorithms accepted on verification (also advertised in metadata). */
  readonly algorithms: readonly string[]
  /** `iss` of the tokens. */
  readonly issuer: string
}

export interface AuthServiceOptions {
  bus: Bus
  lockout: Lockout
  additionalClaims?: AdditionalClaims | undefined
  /** Seconds; 0 disables automatic rotation. */
  keyRotationInterval?: number
  store: Store
  hasher: PasswordHasher
  clock: Clock
  secret: string
  signingAlg: SigningAlgorithm
  revocations: Revocations
  settings: AuthSettings
  telemetry: TelemetrySink
}

const DAY_MS = 86_400_000
/** Audit events read per query by an export. */
const EXPORT_PAGE = 500

export async function createAuthService(options: AuthServiceOptions): Promise<AuthService> {
  const { store, clock, settings } = options
  const keyRing = await createKeyRing({
    store: store.signingKeys,
    secret: options.secret,
    alg: options.signingAlg,
    clock,
    retiredKeyLifetime: (settings.accessTtl + settings.leeway) * 1000,
  })
  const deps: AuthDeps = {
    store,
    keyRing,
    hasher: options.hasher,
    clock,
    settings,
    revocations: options.revocations,
    successorKey: deriveKey(options.secret, 'refresh token successor'),
    additionalClaims: options.additionalClaims,
    lockout: options.lockout,
    bus: options.bus,
    telemetry: options.telemetry,
  }
  await loadRevocations(deps)
  const csrfKey = deriveKey(options.secret, 'csrf')

  const algorithms = [options.signingAlg]
  const verifier = createAccessTokenVerifier({
    getKey: keyRing.verificationKey,
    issuer: settings.issuer,
    audience: settings.audience,
    algorithms,
    leeway: settings.leeway,
    clock,
  })

  function assertNotRevoked(claims: Principal): Principal {
    if (options.revocations.isRevoked(claims.jti, claims.sid, claims.sub, clock.now())) {
      throw new GatehouseError('token_revoked')
    }
    return claims
  }

  const apiKeys = createApiKeyAuthenticator(deps)

  /**
   * Re-reads the keys; when a kid vanished (revoked, or retired for good) tokens it signed
   * must not live on in the verified-token cache.
   */
  async function refreshKeys(): Promise<void> {
    const before = keyRing.list().map((key) => key.kid)
    await keyRing.refresh()
    const after = new Set(keyRing.list().map((key) => key.kid))
    if (before.some((kid) => !after.has(kid))) verifier.clear()
  }

  function authenticateAccessToken(token: string): Principal | Promise<Principal> {
    const verified = verifier.verify(token)
    return verified instanceof Promise
      ? verified.then(assertNotRevoked)
      : assertNotRevoked(verified)
  }

  return {
    register: (input, context) => createUser(deps, input, context, { via: 'register' }),
    login: (input, context) => login(deps, input, context),
    refresh: (token, context) => refresh(deps, token, context),
    logout: (principal, scope, context) => logout(deps, principal, scope, context),
    authenticate(token) {
      return token.startsWith(TOKEN_PREFIXES.apiKey)
        ? apiKeys.authenticate(token)
        : authenticateAccessToken(token)
    },
    async me(principal) {
      const user = await store.users.findById(principal.sub)
      if (!user) throw new GatehouseError('invalid_token')
      return toPublicUser(user)
    },
    changePassword: (principal, input, context) => changePassword(deps, principal, input, context),
    listSessions: (principal, request) => listSessions(deps, principal, request),
    revokeSession: (principal, id, context) => revokeSession(deps, principal, id, context),
    csrfTokenFor: (binding) => mac(csrfKey, binding),
    checkCsrfToken: (binding, presented) => safeEqual(mac(csrfKey, binding), presented),
    createApiKey: (owner, input, context) => createApiKey(deps, owner, input, context),
    listApiKeys: (owner, request) => listApiKeys(deps, owner, request),
    revokeApiKey: (owner, id, context) => apiKeys.revoke(owner, id, context),
    authenticateClient: (clientId, secret, context) =>
      authenticateClient(deps, clientId, secret, context),
    issueClientToken: (client, scopes, context) => issueClientToken(deps, client, scopes, context),
    introspect: (caller, token) =>
      introspect(deps, authenticateAccessToken, apiKeys, caller, token),
    revokeToken: (caller, token, context) =>
      revokeToken(deps, authenticateAccessToken, caller, token, context),
    createClient: (input, context, actor) => createClient(deps, input, context, actor),
    listClients: (request) => listClients(deps, request),
    deleteClient: (clientId, context, actorId) => deleteClient(deps, clientId, context, actorId),
    listUsers: (query, request) => listUsers(deps, query, request),
    getUser: (id) => getUser(deps, id),
    createUserAsAdmin: (input, actor, context) => createUserAsAdmin(deps, input, actor, context),
    updateUser: (id, update, actor, context) =>
      updateUser(deps, apiKeys, id, update, actor, context),
    deleteUser: (id, actorId, context) => deleteUser(deps, apiKeys, id, actorId, context),
    async *exportAudit(filter) {
      let after: PageAfter | undefined
      for (;;) {
        const page = await store.audit.listOldestFirst(filter, {
          limit: EXPORT_PAGE,
          ...(after && { after }),
        })
        yield* page
        const last = page.at(-1)
        if (last === undefined || page.length < EXPORT_PAGE) return
        after = { at: last.at, id: last.id }
      }
    },
    listAudit: (filter, request) =>
      paginate(
        request,
        (page) => store.audit.list(filter, page),
        (event) => ({ at: event.at, id: event.id }),
        (event) => event,
      ),
    async rotateSigningKeys(actor, context) {
      assertFreshActor(actor)
      const kids = await keyRing.rotate()
      deps.bus.publish({ type: 'keys_changed' })
      await recordAudit(deps, 'signing_key_rotated', context, actorId(actor), kids)
      return kids
    },
    async revokeSigningKey(kid, actor, context) {
      assertFreshActor(actor)
      const kids = await keyRing.revoke(kid)
      verifier.clear()
      deps.bus.publish({ type: 'keys_changed' })
      await recordAudit(deps, 'signing_key_revoked', context, actorId(actor), {
        kid,
        ...kids,
      })
      return kids
    },
    listSigningKeys: () => keyRing.list(),
    async runMaintenance() {
      await refreshKeys()
      const interval = (options.keyRotationInterval ?? 0) * 1000
      if (interval > 0 && clock.now() - keyRing.currentSince() >= interval) {
        const kids = await keyRing.rotate()
        deps.bus.publish({ type: 'keys_changed' })
        await recordAudit(deps, 'signing_key_rotated', NO_REQUEST, null, {
          ...kids,
          automatic: true,
        })
      }
      // Revocations from instances the bus could not reach (Redis down, or none).
      await loadRevocations(deps)
      if (settings.auditRetentionDays > 0) {
        await store.audit.deleteBefore(clock.now() - settings.auditRetentionDays * DAY_MS)
      }
    },
    async applyClusterEvent(event) {
      switch (event.type) {
        case 'revoked':
          options.revocations.add(event.entry, clock.now())
          return
        case 'keys_changed':
          await refreshKeys()
          return
        case 'api_keys_evicted':
          apiKeys.applyEviction(event)
          return
      }
    },
    createUser: (input) => createUser(deps, input, NO_REQUEST, { via: 'cli' }),
    setUserRoles: (username, roles) => setUserRoles(deps, username, roles),
    ensureDemoUsers: () => ensureDemoUsers(deps),
    jwks: () => keyRing.jwks(),
    algorithms,
    issuer: settings.issuer,
  }
}
