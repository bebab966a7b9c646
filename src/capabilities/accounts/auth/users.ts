import { newId } from '../../../ids.js'
import { GatehouseError } from '../../../errors/index.js'
import type { UserRecord } from '../../../store/store.js'
import { recordAudit } from '../../../auth/audit.js'
import { NO_REQUEST, type AuthDeps, type RequestContext } from '../../../auth/deps.js'
import { assertAcceptablePassword, normalizePassword } from '../../../auth/password-policy.js'
import { normalizeRoles } from '../../../auth/rbac.js'
import { normalizeEmail } from '../../../auth/email-address.js'
import { normalizeUsername } from '../../../auth/username.js'

export interface CreateUserInput {
  username: string
  password: string
  roles?: readonly string[]
  /** Optional; unique (case-insensitively). Unverified unless `emailVerified`. */
  email?: string | undefined
  /** Only for an admin or operator who vouches for the address. */
  emailVerified?: boolean | undefined
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
  email: string | null
  emailVerified: boolean
  /** Whether the user has a verified second factor. */
  mfaEnabled: boolean
}

export function toPublicUser(user: UserRecord, mfaEnabled = false): PublicUser {
  return {
    id: user.id,
    username: user.username,
    roles: user.roles,
    createdAt: user.createdAt,
    email: user.email,
    emailVerified: user.email !== null && user.emailVerifiedAt !== null,
    mfaEnabled,
  }
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
  const email = input.email === undefined ? null : normalizeEmail(input.email)

  if (await deps.store.users.findByUsernameKey(username.key)) throw usernameTaken()
  // An unverified address reserves nothing (it may be a typo, or someone else's): only a
  // user created with it verified (by an admin) can find it taken.
  if (email && input.emailVerified && (await deps.store.users.findByVerifiedEmail(email.key))) {
    throw emailTaken()
  }
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
    email: email?.email ?? null,
    emailKey: email?.key ?? null,
    emailVerifiedAt: email && input.emailVerified ? now : null,
  }
  const inserted = await deps.store.users.insert(user)
  if (inserted === 'username_taken') throw usernameTaken()
  if (inserted === 'email_taken') throw emailTaken()
  await recordAudit(
    deps,
    'user_created',
    context,
    user.id,
    { ...via, roles, ...(email && { email: email.email }) },
    { user },
  )
  return toPublicUser(user)
}

/** Who created or changed a user, for the audit log. */
export type UserChangeSource = { via: 'register' | 'cli' | 'demo' } | { via: 'admin'; by: string }

/** Re-exported for the CLI and the admin use cases, which import it from here. */

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

/**
 * Sets (or with null removes) a user's address from the command line: the operator vouches
 * for it with `verified`.
 */
export async function setUserEmail(
  deps: AuthDeps,
  username: string,
  email: string | null,
  verified: boolean,
): Promise<PublicUser> {
  const { key } = normalizeUsername(username)
  const user = await deps.store.users.findByUsernameKey(key)
  if (!user) throw new GatehouseError('not_found', 'No such user')
  const updated = await changeUserEmail(deps, user, { email, verified: verified || undefined })
  // The user as before reaches the reactions: the previous address hears of a change.
  await recordAudit(
    deps,
    'user_updated',
    NO_REQUEST,
    user.id,
    { via: 'cli', email: updated.email, email_verified: updated.emailVerifiedAt !== null },
    { user },
  )
  return toPublicUser(updated)
}

/**
 * A change of address by someone who may vouch for it (an admin, the operator): a new
 * address is unverified unless `verified`, the same one (in another case) keeps its state,
 * and `email: undefined` with `verified` vouches for the current one.
 */
export async function changeUserEmail(
  deps: AuthDeps,
  user: UserRecord,
  change: { email?: string | null | undefined; verified?: boolean | undefined },
): Promise<UserRecord> {
  const now = deps.clock.now()
  const next = change.email === undefined ? user.email : change.email
  let result: Awaited<ReturnType<AuthDeps['store']['users']['setEmail']>>
  if (next === null) {
    if (change.verified) {
      throw new GatehouseError('invalid_request', 'The user has no email address to verify')
    }
    result = await deps.store.users.setEmail(user.id, null, now)
  } else {
    const email = normalizeEmail(next)
    const sameAddress = email.key === user.emailKey
    const verified = change.verified ?? (sameAddress && user.emailVerifiedAt !== null)
    const verifiedAt = !verified ? null : sameAddress ? (user.emailVerifiedAt ?? now) : now
    result = await deps.store.users.setEmail(
      user.id,
      { email: email.email, emailKey: email.key, verifiedAt },
      now,
    )
  }
  if (result === 'email_taken') throw emailTaken()
  const updated = result === 'updated' ? await deps.store.users.findById(user.id) : undefined
  if (!updated) throw new GatehouseError('not_found', 'No such user')
  if (updated.emailKey !== user.emailKey) {
    // Links sent to the old address prove nothing now (its owner hears of the change from
    // the email capability, which reacts to the caller's `user_updated`).
    await deps.store.emailTokens.deleteForUser(user.id)
  }
  return updated
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

/**
 * Said only where an admin vouches for an address another user holds verified. People
 * signing up or changing their address get the answer a free address gets (the owner is
 * told instead): an address is not a username, and its owner must not be locked out.
 */
function emailTaken(): GatehouseError {
  return new GatehouseError('email_taken')
}

/** `POST /register`: the same rules as every other way of creating a user. */
export async function register(
  deps: AuthDeps,
  input: { username: string; password: string; email?: string | undefined },
  context: RequestContext,
): Promise<PublicUser> {
  if (deps.settings.emailVerification === 'required' && !input.email) {
    throw new GatehouseError('invalid_email', 'An email address is required')
  }
  // The email capability mails the link to verify the address, reacting to `user_created`.
  return createUser(deps, input, context, { via: 'register' })
}

/** The token's user. */
export async function getMe(deps: AuthDeps, principal: { sub: string }): Promise<PublicUser> {
  const user = await deps.store.users.findById(principal.sub)
  if (!user) throw new GatehouseError('invalid_token')
  const withFactors = await deps.store.mfa.usersWithFactors([user.id])
  return toPublicUser(user, withFactors.has(user.id))
}
