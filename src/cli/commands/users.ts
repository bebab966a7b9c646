import { randomBytes } from 'node:crypto'
import { text } from 'node:stream/consumers'
import { loadConfig } from '../../config/load.js'
import type { SettingName } from '../../config/schema.js'
import { openCore, type Core } from '../../core.js'

export interface UsersFlags {
  roles: string[]
  passwordFromStdin: boolean
}

const USAGE =
  'usage: gatehouse users create NAME [--role R]... [--password-stdin] | users set-role NAME ROLES'

export async function usersCommand(
  args: string[],
  settings: Partial<Record<SettingName, unknown>>,
  flags: UsersFlags,
): Promise<number> {
  const [action, name, roles] = args
  if (name === undefined || (action !== 'create' && action !== 'set-role')) {
    process.stderr.write(`${USAGE}\n`)
    return 2
  }
  if (action === 'set-role' && roles === undefined) {
    process.stderr.write(`${USAGE}\n`)
    return 2
  }
  const core = await openCore(loadConfig({ env: process.env, overrides: settings }))
  try {
    if (action === 'create') return await createUser(core, name, flags)
    const user = await core.auth.setUserRoles(name, splitRoles(roles ?? ''))
    process.stdout.write(`${user.username}: roles ${JSON.stringify(user.roles)}\n`)
    return 0
  } finally {
    await core.close()
  }
}

async function createUser(core: Core, name: string, flags: UsersFlags): Promise<number> {
  const generated = !flags.passwordFromStdin
  // Only one trailing line break is removed: spaces are part of the password.
  const password = generated
    ? randomBytes(18).toString('base64url')
    : (await text(process.stdin)).replace(/\r?\n$/, '')
  const user = await core.auth.createUser({ username: name, password, roles: flags.roles })
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
