import type { Clock } from '../clock.js'
import type { Store } from '../store/store.js'
import { createAccessTokenVerifier, type AccessTokenVerifier } from '../tokens/access-token.js'
import { deriveKey } from '../tokens/derive-key.js'
import { createSecretBox } from '../tokens/secret-box.js'
import type { PasswordHasher } from '../tokens/password.js'
import { createBackgroundWork, createSignal } from './background.js'
import {
  createApiKeyAuthenticator,
  type ApiKeyAuthenticator,
} from '../capabilities/machine-access/auth/api-keys.js'
import type { AdditionalClaims, AuthDeps, AuthSettings, EventHandlers, SignInGate } from './deps.js'
import {
  createKeyRing,
  type KeyPairSource,
  type SigningAlgorithm,
} from '../capabilities/keys/auth/key-ring.js'
import { principalOfToken, type Principal } from '../tokens/principal.js'
import { loadRevocations } from '../capabilities/sessions/auth/revocation.js'
import type { TelemetrySink } from './telemetry.js'

export type { Principal } from '../tokens/principal.js'

/**
 * Everything the use cases need, assembled once: routes and commands pass it to the use
 * case they call (`login(auth, input, context)`), one hop from request to rule.
 */
export interface Auth extends AuthDeps {
  /** Verifies access tokens (signature, claims; a bounded cache of verified ones). */
  readonly verifier: AccessTokenVerifier<Principal>
  /** Verifies API keys (bounded cache; evictions shared through the bus). */
  readonly apiKeys: ApiKeyAuthenticator
  /** HMAC key binding CSRF tokens to credentials. */
  readonly csrfKey: Buffer
  /** Algorithms accepted on verification (also advertised in metadata). */
  readonly algorithms: readonly string[]
  /** Seconds; 0 disables automatic rotation. */
  readonly keyRotationInterval: number
  /** The capabilities' upkeep, in list order (see runMaintenance). */
  readonly jobs: readonly Job[]
}

export interface CreateAuthOptions {
  /** The capabilities' sign-in gates, in list order. */
  signInGates: readonly SignInGate[]
  /** The capabilities' upkeep jobs, in list order. */
  jobs: readonly Job[]
  /** The capabilities' reactions to recorded events. */
  on: EventHandlers
  bus: AuthDeps['bus']
  lockout: AuthDeps['lockout']
  additionalClaims?: AdditionalClaims | undefined
  /** Seconds; 0 disables automatic rotation. */
  keyRotationInterval?: number
  store: Store
  hasher: PasswordHasher
  clock: Clock
  secret: string
  signingAlg: SigningAlgorithm
  revocations: AuthDeps['revocations']
  settings: AuthSettings
  telemetry: TelemetrySink
  /** An SMTP server delivers queued mail (default false: the outbox keeps it). */
  mailDelivery?: boolean
  rateLimiter: AuthDeps['rateLimiter']
  /** Where new signing key pairs come from (default: generated). */
  generateKeyPair?: KeyPairSource | undefined
}

/** Loads the signing keys and the revocation list, and assembles the use cases' context. */
export async function createAuth(options: CreateAuthOptions): Promise<Auth> {
  const { store, clock, settings } = options
  const keyRing = await createKeyRing({
    store: store.signingKeys,
    secret: options.secret,
    alg: options.signingAlg,
    clock,
    retiredKeyLifetime: (settings.accessTtl + settings.leeway) * 1000,
    ...(options.generateKeyPair && { generateKeyPair: options.generateKeyPair }),
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
    mailDelivery: options.mailDelivery ?? false,
    mailQueued: createSignal(),
    rateLimiter: options.rateLimiter,
    background: createBackgroundWork(),
    mfaBox: createSecretBox(options.secret, 'second factors'),
    signInGates: options.signInGates,
    on: options.on,
  }
  await loadRevocations(deps)
  const algorithms = [options.signingAlg]
  return {
    ...deps,
    verifier: createAccessTokenVerifier({
      getKey: keyRing.verificationKey,
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms,
      leeway: settings.leeway,
      clock,
      toResult: principalOfToken,
    }),
    apiKeys: createApiKeyAuthenticator(deps),
    csrfKey: deriveKey(options.secret, 'csrf'),
    algorithms,
    keyRotationInterval: options.keyRotationInterval ?? 0,
    jobs: options.jobs,
  }
}

/** Periodic upkeep: safe on every instance at once, and safe to repeat. */
export interface Job {
  readonly name: string
  run(auth: Auth): Promise<unknown>
}
