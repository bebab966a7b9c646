import { randomUUID } from 'node:crypto'
import { GatehouseError } from '../errors.js'
import { issueAccessToken } from '../tokens/access-token.js'
import { generateOpaqueToken, hashOpaqueToken, TOKEN_PREFIXES } from '../tokens/opaque-token.js'
import type { AuthDeps, RequestContext } from './deps.js'
import { MAX_PASSWORD_LENGTH, normalizePassword } from './password-policy.js'
import { DEFAULT_USER_SCOPES } from './rbac.js'
import { usernameKeyOrNull } from './username.js'

export interface LoginInput {
  username: string
  password: string
}

export interface TokenPair {
  accessToken: string
  refreshToken: string
  /** Access-token lifetime in seconds. */
  expiresIn: number
  sessionId: string
}

/**
 * Checks the password and opens a session. Unknown users and wrong passwords get the same
 * error after the same work (a dummy argon2 verification), so neither the body nor the
 * timing tells whether a username exists. A disabled user learns so only with the right
 * password.
 */
export async function login(
  deps: AuthDeps,
  input: LoginInput,
  context: RequestContext,
): Promise<TokenPair> {
  const password = normalizePassword(input.password)
  const key = usernameKeyOrNull(input.username)
  const user = key === null ? undefined : await deps.store.users.findByUsernameKey(key)
  // Over-long passwords cannot match any stored one; refuse them before hashing so a
  // megabyte "password" cannot be used to burn CPU.
  const plausible = [...password].length <= MAX_PASSWORD_LENGTH
  if (!user || !plausible) {
    if (plausible) await deps.hasher.verifyDummy(password)
    throw new GatehouseError('invalid_credentials')
  }
  if (!(await deps.hasher.verify(user.passwordHash, password))) {
    throw new GatehouseError('invalid_credentials')
  }
  if (user.disabled) throw new GatehouseError('user_disabled')

  if (deps.hasher.needsRehash(user.passwordHash)) {
    await deps.store.users.update(
      user.id,
      { passwordHash: await deps.hasher.hash(password) },
      deps.clock.now(),
    )
  }

  const now = deps.clock.now()
  const sessionId = randomUUID()
  const refreshToken = generateOpaqueToken(TOKEN_PREFIXES.refreshToken)
  const expiresAt = now + deps.settings.refreshTtl * 1000
  await deps.store.sessions.create(
    {
      id: sessionId,
      userId: user.id,
      createdAt: now,
      lastUsedAt: now,
      expiresAt,
      ip: context.ip,
      userAgent: context.userAgent,
      revokedAt: null,
    },
    { tokenHash: hashOpaqueToken(refreshToken), sessionId, createdAt: now, expiresAt },
  )

  const { token } = await issueAccessToken(
    deps.keyRing.signingKey(),
    {
      subject: user.id,
      sessionId,
      username: user.username,
      roles: user.roles,
      scopes: DEFAULT_USER_SCOPES,
      fresh: true,
    },
    {
      issuer: deps.settings.issuer,
      audience: deps.settings.audience,
      ttl: deps.settings.accessTtl,
      clock: deps.clock,
    },
  )
  return { accessToken: token, refreshToken, expiresIn: deps.settings.accessTtl, sessionId }
}
