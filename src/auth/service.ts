import type { Clock } from '../clock.js'
import { GatehouseError } from '../errors.js'
import type { Store } from '../store/store.js'
import { createAccessTokenVerifier, type AccessTokenClaims } from '../tokens/access-token.js'
import type { PasswordHasher } from '../tokens/password.js'
import { createKeyRing, type Jwks, type SigningAlgorithm } from '../tokens/signing-keys.js'
import type { AuthDeps, AuthSettings, RequestContext } from './deps.js'
import { login, type LoginInput, type TokenPair } from './login.js'
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
  /**
   * Verifies an access token. Synchronous for tokens seen before (the hot path), a promise
   * otherwise. Throws `GatehouseError` (`invalid_token`, `token_expired`).
   */
  authenticate(token: string): Principal | Promise<Principal>
  createUser(input: CreateUserInput): Promise<PublicUser>
  setUserRoles(username: string, roles: readonly string[]): Promise<PublicUser>
  getUser(id: string): Promise<PublicUser>
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
  /** Seconds of clock skew accepted on exp/nbf. */
  leeway: number
  settings: AuthSettings
}

export async function createAuthService(options: AuthServiceOptions): Promise<AuthService> {
  const keyRing = await createKeyRing({
    store: options.store.signingKeys,
    secret: options.secret,
    alg: options.signingAlg,
    clock: options.clock,
  })
  const deps: AuthDeps = {
    store: options.store,
    keyRing,
    hasher: options.hasher,
    clock: options.clock,
    settings: options.settings,
  }
  const algorithms = [options.signingAlg]
  const verifier = createAccessTokenVerifier({
    getKey: keyRing.verificationKey,
    issuer: options.settings.issuer,
    audience: options.settings.audience,
    algorithms,
    leeway: options.leeway,
    clock: options.clock,
  })

  return {
    register: (input) => createUser(deps, input),
    login: (input, context) => login(deps, input, context),
    authenticate: (token) => verifier.verify(token),
    createUser: (input) => createUser(deps, input),
    setUserRoles: (username, roles) => setUserRoles(deps, username, roles),
    async getUser(id) {
      const user = await options.store.users.findById(id)
      if (!user) throw new GatehouseError('not_found', 'No such user')
      return toPublicUser(user)
    },
    ensureDemoUsers: () => ensureDemoUsers(deps),
    jwks: () => keyRing.jwks(),
    algorithms,
  }
}
