import type { Clock } from '../clock.js'
import { GatehouseError } from '../errors.js'
import type { Store } from '../store/store.js'
import { createAccessTokenVerifier, type AccessTokenClaims } from '../tokens/access-token.js'
import { deriveKey, mac, safeEqual } from '../tokens/derive-key.js'
import type { PasswordHasher } from '../tokens/password.js'
import { createKeyRing, type Jwks, type SigningAlgorithm } from '../tokens/signing-keys.js'
import { changePassword, type ChangePasswordInput } from './change-password.js'
import type { AuthDeps, AuthSettings, RequestContext, Revocations } from './deps.js'
import { login, type LoginInput } from './login.js'
import type { Page, PageRequest } from './pagination.js'
import { refresh } from './refresh.js'
import { loadRevocations } from './revocation.js'
import {
  listSessions,
  logout,
  revokeSession,
  type LogoutScope,
  type SessionView,
} from './sessions.js'
import type { TokenPair } from './token-pair.js'
import {
  createUser,
  ensureDemoUsers,
  setUserRoles,
  toPublicUser,
  type CreateUserInput,
  type PublicUser,
} from './users.js'

/** The verified access token of a request. */
export type Principal = AccessTokenClaims

export interface AuthService {
  register(input: { username: string; password: string }): Promise<PublicUser>
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
  createUser(input: CreateUserInput): Promise<PublicUser>
  setUserRoles(username: string, roles: readonly string[]): Promise<PublicUser>
  ensureDemoUsers(): Promise<string[]>
  jwks(): Jwks
  /** Algorithms accepted on verification (also advertised in metadata). */
  readonly algorithms: readonly string[]
}

export interface AuthServiceOptions {
  store: Store
  hasher: PasswordHasher
  clock: Clock
  secret: string
  signingAlg: SigningAlgorithm
  revocations: Revocations
  settings: AuthSettings
}

export async function createAuthService(options: AuthServiceOptions): Promise<AuthService> {
  const { store, clock, settings } = options
  const keyRing = await createKeyRing({
    store: store.signingKeys,
    secret: options.secret,
    alg: options.signingAlg,
    clock,
  })
  const deps: AuthDeps = {
    store,
    keyRing,
    hasher: options.hasher,
    clock,
    settings,
    revocations: options.revocations,
    successorKey: deriveKey(options.secret, 'refresh token successor'),
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
    if (options.revocations.isRevoked(claims.jti, claims.sid, clock.now())) {
      throw new GatehouseError('token_revoked')
    }
    return claims
  }

  return {
    register: (input) => createUser(deps, input),
    login: (input, context) => login(deps, input, context),
    refresh: (token, context) => refresh(deps, token, context),
    logout: (principal, scope, context) => logout(deps, principal, scope, context),
    authenticate(token) {
      const verified = verifier.verify(token)
      return verified instanceof Promise
        ? verified.then(assertNotRevoked)
        : assertNotRevoked(verified)
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
    createUser: (input) => createUser(deps, input),
    setUserRoles: (username, roles) => setUserRoles(deps, username, roles),
    ensureDemoUsers: () => ensureDemoUsers(deps),
    jwks: () => keyRing.jwks(),
    algorithms,
  }
}
