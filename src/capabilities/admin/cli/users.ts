import { randomBytes } from 'node:crypto'
import { text } from 'node:stream/consumers'
import type { Core } from '../../../core.js'
import { GatehouseError } from '../../../errors/index.js'
import { withExistingDatabase, type Settings } from '../../../cli/open.js'
import { resetMfaOfUsername } from '../auth/admin-users.js'
import { NO_REQUEST } from '../../../auth/deps.js'
import { createUser as createUserRecord, setUserEmail, setUserRoles } from '../../accounts/index.js'

export interface UsersFlags {
  roles: string[]
  passwordFromStdin: boolean
  email: string | undefined
  emailVerified: boolean
}

export const USERS_USAGE =
  'usage: gatehouse users create NAME [--role R]... [--email E [--email-verified]] [--password-stdin]\n' +
  '     | users set-role NAME ROLES | users set-email NAME EMAIL|"" [--email-verified]\n' +
  '     | users reset-mfa NAME'

const ACTIONS = ['create', 'set-role', 'set-email', 'reset-mfa']
/** The actions that take a value after the name. */
const WITH_VALUE = ['set-role', 'set-email']

export async function usersCommand(
  args: string[],
  settings: Settings,
  flags: UsersFlags,
): Promise<number> {
  const [action, name, value] = args
  if (
    name === undefined ||
    !ACTIONS.includes(action ?? '') ||
    (WITH_VALUE.includes(action ?? '') && value === undefined)
  ) {
    process.stderr.write(`${USERS_USAGE}\n`)
    return 2
  }
  return withExistingDatabase(settings, async (core) => {
    if (action === 'create') return createUser(core, name, flags)
    if (action === 'reset-mfa') {
      const removed = await resetMfaOfUsername(core.auth, name)
      process.stdout.write(`${name}: ${removed} second factor(s) removed\n`)
      return 0
    }
    if (action === 'set-email') {
      const user = await setUserEmail(
        core.auth,
        name,
        value === '' ? null : (value ?? null),
        flags.emailVerified,
      )
      process.stdout.write(
        `${user.username}: email ${user.email ?? 'none'}${user.emailVerified ? ' (verified)' : ''}\n`,
      )
      return 0
    }
    const user = await setUserRoles(core.auth, name, splitRoles(value ?? ''))
    process.stdout.write(`${user.username}: roles ${JSON.stringify(user.roles)}\n`)
    return 0
  })
}

async function createUser(core: Core, name: string, flags: UsersFlags): Promise<number> {
  const generated = !flags.passwordFromStdin
  // Only one trailing line break is removed: spaces are part of the password.
  const password = generated
    ? randomBytes(18).toString('base64url')
    : (await text(process.stdin)).replace(/\r?\n$/, '')
  const user = await createUserRecord(
    core.auth,
    {
      username: name,
      password,
      roles: flags.roles,
      ...(flags.email !== undefined && { email: flags.email, emailVerified: flags.emailVerified }),
    },
    NO_REQUEST,
    { via: 'cli' },
  ).catch((error: unknown) => {
    if (error instanceof GatehouseError && error.code === 'username_taken') {
      throw new GatehouseError('username_taken', `a user named "${name}" already exists`)
    }
    throw error
  })
  process.stdout.write(
    `created user ${user.username} (id ${user.id}) roles ${JSON.stringify(user.roles)}` +
      `${user.email ? ` email ${user.email}${user.emailVerified ? ' (verified)' : ''}` : ''}\n`,
  )
  if (generated) process.stdout.write(`password: ${password}\n`)
  return 0
}

function splitRoles(roles: string): string[] {
  return roles
    .split(',')
    .map((role) => role.trim())
    .filter((role) => role !== '')
}
