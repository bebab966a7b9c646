import { newId } from '../ids.js'
import { GatehouseError } from '../errors/index.js'
import type { UserRecord } from '../store/store.js'
import { recordAudit } from './audit.js'
import type { AuthDeps, RequestContext } from './deps.js'
import { assertAcceptablePassword, normalizePassword } from './password-policy.js'
import { normalizeRoles } from './rbac.js'
import { normalizeUsername } from './username.js'

export interface CreateUserInput {
  username: string
  password: string
  roles?: readonly string[]
  /**
   * Skip the password policy. Only for the tutorial's demo users, whose passwords are
   * deliberately weak; `serve --demo` is refused in production.
   */
  bypassPasswordPolicy?: boolean
}

/** The user as the API shows it: never the hash. */
export interface PublicUser {
  id: string
  username: string
  roles: string[]
  createdAt: number
}

export function toPublicUser(user: UserRecord): PublicUser {
  return { id: user.id, username: user.username, roles: user.roles, createdAt: user.createdAt }
}

/**
 * Creates a user. The username is checked before the password so that the message names
 * the first thing to fix; the taken check runs before hashing to answer fast, and the
 * store's unique index decides races.
 */
export async function createUser(
  deps: AuthDeps,
  input: CreateUserInput,
  context: RequestContext,
  via: UserChangeSource,
): Promise<PublicUser> {
  const username = normalizeUsername(input.username)
  const password = normalizePassword(input.password)
  if (!input.bypassPasswordPolicy) await assertAcceptablePassword(password, username.key)
  const roles = normalizeRoles(input.roles ?? [])

  if (await deps.store.users.findByUsernameKey(username.key)) throw usernameTaken()
  const now = deps.clock.now()
  const user: UserRecord = {
    id: newId(),
    username: username.display,
    usernameKey: username.key,
    passwordHash: await deps.hasher.hash(password),
    roles,
    disabled: false,
    createdAt: now,
    updatedAt: now,
  }
  if ((await deps.store.users.insert(user)) === 'username_taken') throw usernameTaken()
  await recordAudit(deps, 'user_created', context, user.id, { ...via, roles })
  return toPublicUser(user)
}

/** Who created or changed a user, for the audit log. */
export type UserChangeSource = { via: 'register' | 'cli' | 'demo' } | { via: 'admin'; by: string }

/** The context of changes made from the command line or at start-up. */
export const NO_REQUEST: RequestContext = { ip: null, userAgent: null }

/** Replaces a user's roles; takes effect in tokens issued from the next login. */
export async function setUserRoles(
  deps: AuthDeps,
  username: string,
  roles: readonly string[],
): Promise<PublicUser> {
  const { key } = normalizeUsername(username)
  const user = await deps.store.users.findByUsernameKey(key)
  if (!user) throw new GatehouseError('not_found', 'No such user')
  const updated = await deps.store.users.update(
    user.id,
    { roles: normalizeRoles(roles) },
    deps.clock.now(),
  )
  if (!updated) throw new GatehouseError('not_found', 'No such user')
  await recordAudit(deps, 'user_updated', NO_REQUEST, user.id, {
    via: 'cli',
    roles: updated.roles,
  })
  return toPublicUser(updated)
}

/** The tutorial's users, created when absent (never overwritten). */
export const DEMO_USERS = [
  { username: 'user1', password: 'password1', roles: [] },
  { username: 'user2', password: 'password2', roles: [] },
  { username: 'admin', password: 'adminpass', roles: ['admin'] },
] as const

export async function ensureDemoUsers(deps: AuthDeps): Promise<string[]> {
  const created: string[] = []
  for (const demo of DEMO_USERS) {
    try {
      await createUser(deps, { ...demo, bypassPasswordPolicy: true }, NO_REQUEST, { via: 'demo' })
      created.push(demo.username)
    } catch (error) {
      if (!(error instanceof GatehouseError && error.code === 'username_taken')) throw error
    }
  }
  return created
}

function usernameTaken(): GatehouseError {
  return new GatehouseError('username_taken')
}

/** `POST /register`: the same rules as every other way of creating a user. */
export function register(
  deps: AuthDeps,
  input: { username: string; password: string },
  context: RequestContext,
): Promise<PublicUser> {
  return createUser(deps, input, context, { via: 'register' })
}

/** The token's user. */
export async function getMe(deps: AuthDeps, principal: { sub: string }): Promise<PublicUser> {
  const user = await deps.store.users.findById(principal.sub)
  if (!user) throw new GatehouseError('invalid_token')
  return toPublicUser(user)
}
