import { randomBytes } from 'node:crypto'
import { text } from 'node:stream/consumers'
import type { Core } from '../../core.js'
import { GatehouseError } from '../../errors/index.js'
import { withExistingDatabase, type Settings } from '../open.js'
import { createUser as createUserRecord, NO_REQUEST, setUserRoles } from '../../auth/users.js'

export interface UsersFlags {
  roles: string[]
  passwordFromStdin: boolean
}

export const USERS_USAGE =
  'usage: gatehouse users create NAME [--role R]... [--password-stdin] | users set-role NAME ROLES'

export async function usersCommand(
  args: string[],
  settings: Settings,
  flags: UsersFlags,
): Promise<number> {
  const [action, name, roles] = args
  if (name === undefined || (action !== 'create' && action !== 'set-role')) {
    process.stderr.write(`${USERS_USAGE}\n`)
    return 2
  }
  if (action === 'set-role' && roles === undefined) {
    process.stderr.write(`${USERS_USAGE}\n`)
    return 2
  }
  return withExistingDatabase(settings, async (core) => {
    if (action === 'create') return createUser(core, name, flags)
    const user = await setUserRoles(core.auth, name, splitRoles(roles ?? ''))
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
    { username: name, password, roles: flags.roles },
    NO_REQUEST,
    { via: 'cli' },
  ).catch((error: unknown) => {
    if (error instanceof GatehouseError && error.code === 'username_taken') {
      throw new GatehouseError('username_taken', `a user named "${name}" already exists`)
    }
    throw error
  })
  process.stdout.write(
    `created user ${user.username} (id ${user.id}) roles ${JSON.stringify(user.roles)}\n`,
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
