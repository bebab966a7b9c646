import { GatehouseError } from '../../../errors/index.js'
import type { UserRecord } from '../../../store/store.js'
import { actorId, assertFreshActor, type Actor } from '../../../auth/actor.js'
import { revokeAllApiKeysOf, type ApiKeyAuthenticator } from '../../machine-access/index.js'
import { recordAudit } from '../../../auth/audit.js'
import { NO_REQUEST, type AuthDeps, type RequestContext } from '../../../auth/deps.js'
import { paginate, type Page, type PageRequest } from '../../../auth/pagination.js'
import { normalizeRoles } from '../../../auth/rbac.js'
import { endSessionsOf, revokeSubjectUntilNow } from '../../sessions/index.js'
import { resetUserMfa } from '../../second-factors/index.js'
import { foldCase, usernameKeyOrNull } from '../../../auth/username.js'
import { changeUserEmail, createUser, type CreateUserInput } from '../../accounts/index.js'

export interface AdminUserView {
  id: string
  username: string
  roles: string[]
  disabled: boolean
  createdAt: number
  updatedAt: number
  email: string | null
  emailVerified: boolean
  /** Whether the user has a verified second factor. */
  mfaEnabled: boolean
}

function toAdminUserView(user: UserRecord, mfaEnabled: boolean): AdminUserView {
  return {
    id: user.id,
    username: user.username,
    roles: user.roles,
    disabled: user.disabled,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    email: user.email,
    emailVerified: user.email !== null && user.emailVerifiedAt !== null,
    mfaEnabled,
  }
}

async function viewOf(deps: AuthDeps, user: UserRecord): Promise<AdminUserView> {
  const withFactors = await deps.store.mfa.usersWithFactors([user.id])
  return toAdminUserView(user, withFactors.has(user.id))
}

export async function listUsers(
  deps: AuthDeps,
  query: { search?: string | undefined },
  request: PageRequest,
): Promise<Page<AdminUserView>> {
  const search = query.search === undefined ? undefined : foldCase(query.search.normalize('NFKC'))
  const page = await paginate(
    request,
    (page) => deps.store.users.list(search ? { usernamePrefix: search } : {}, page),
    (user) => ({ at: user.createdAt, id: user.id }),
    (user) => user,
  )
  const withFactors = await deps.store.mfa.usersWithFactors(page.items.map((user) => user.id))
  return {
    ...page,
    items: page.items.map((user) => toAdminUserView(user, withFactors.has(user.id))),
  }
}

export async function getUser(deps: AuthDeps, id: string): Promise<AdminUserView> {
  const user = await deps.store.users.findById(id)
  if (!user) throw new GatehouseError('not_found', 'No such user')
  return viewOf(deps, user)
}

export async function createUserAsAdmin(
  deps: AuthDeps,
  input: CreateUserInput,
  actor: Actor,
  context: RequestContext,
): Promise<AdminUserView> {
  assertFreshActor(actor)
  const created = await createUser(deps, input, context, {
    via: 'admin',
    by: actorId(actor) ?? 'cli',
  })
  return getUser(deps, created.id)
}

export interface UserUpdate {
  roles?: readonly string[] | undefined
  disabled?: boolean | undefined
  /** A new address (unverified unless `emailVerified`), or null to remove it. */
  email?: string | null | undefined
  /** Vouch for the address (or withdraw that): the admin knows it is the user's. */
  emailVerified?: boolean | undefined
}

/**
 * Changes roles or the disabled flag. Disabling ends every session and API key of the user
 * at once. A role change cuts off the user's current access tokens; their sessions stay,
 * and the next refresh issues tokens with the new roles.
 */
export async function updateUser(
  deps: AuthDeps & { apiKeys: ApiKeyAuthenticator },
  id: string,
  update: UserUpdate,
  actor: Actor,
  context: RequestContext,
): Promise<AdminUserView> {
  const roles = update.roles === undefined ? undefined : normalizeRoles(update.roles)
  const before = await deps.store.users.findById(id)
  if (!before) throw new GatehouseError('not_found', 'No such user')
  // Granting roles grants power; disabling takes it away and needs no fresh login.
  if (roles !== undefined && roles.join(' ') !== before.roles.join(' ')) assertFreshActor(actor)
  const patch = {
    ...(roles !== undefined && { roles }),
    ...(update.disabled !== undefined && { disabled: update.disabled }),
  }
  const emailChanged = update.email !== undefined || update.emailVerified !== undefined
  // Whoever controls the address can reset the password: as strong as granting a role.
  if (emailChanged) {
    assertFreshActor(actor)
    await changeUserEmail(deps, before, { email: update.email, verified: update.emailVerified })
  }
  const user = await deps.store.users.update(id, patch, deps.clock.now())
  if (!user) throw new GatehouseError('not_found', 'No such user')

  const disabling = update.disabled === true && !before.disabled
  const rolesChanged = roles !== undefined && roles.join(' ') !== before.roles.join(' ')
  if (disabling) {
    await endSessionsOf(deps, id)
    await revokeAllApiKeysOf(deps, id)
  }
  if (disabling || rolesChanged) await revokeSubjectUntilNow(deps, id)
  await recordAudit(
    deps,
    'user_updated',
    context,
    id,
    {
      by: actorId(actor),
      ...patch,
      ...(emailChanged && { email: user.email, email_verified: user.emailVerifiedAt !== null }),
    },
    { user: before },
  )
  return viewOf(deps, user)
}

export async function deleteUser(
  deps: AuthDeps & { apiKeys: ApiKeyAuthenticator },
  id: string,
  actorId: string,
  context: RequestContext,
): Promise<void> {
  if (!(await deps.store.users.delete(id))) throw new GatehouseError('not_found', 'No such user')
  await revokeSubjectUntilNow(deps, id)
  deps.apiKeys.forgetOwner(id)
  await recordAudit(deps, 'user_deleted', context, id, { by: actorId })
}

/**
 * Removes every second factor and recovery code of a user who lost them: they sign in
 * with their password again and may enrol anew. Fresh token; audited; the user is told.
 * Returns how many factors were removed.
 */
export async function resetMfaAsAdmin(
  deps: AuthDeps,
  id: string,
  actor: Actor,
  context: RequestContext,
): Promise<number> {
  assertFreshActor(actor)
  const user = await deps.store.users.findById(id)
  if (!user) throw new GatehouseError('not_found', 'No such user')
  return resetUserMfa(deps, user, context, actorId(actor))
}

/** `gatehouse users reset-mfa NAME`: the operator's reset, by username. */
export async function resetMfaOfUsername(deps: AuthDeps, username: string): Promise<number> {
  const key = usernameKeyOrNull(username)
  const user = key === null ? undefined : await deps.store.users.findByUsernameKey(key)
  if (!user) throw new GatehouseError('not_found', 'No such user')
  return resetUserMfa(deps, user, NO_REQUEST, null)
}
