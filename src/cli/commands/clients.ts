import { loadConfig } from '../../config/load.js'
import type { SettingName } from '../../config/schema.js'
import { openCore } from '../../core.js'
import { CLI_REQUEST } from '../request-context.js'

/** `clients create NAME --scopes "a b"`: prints the client_id and the secret, once. */
export async function clientsCommand(
  args: string[],
  settings: Partial<Record<SettingName, unknown>>,
  scopes: string,
): Promise<number> {
  const [action, name] = args
  if (action !== 'create' || name === undefined) {
    process.stderr.write('usage: gatehouse clients create NAME [--scopes "a b"]\n')
    return 2
  }
  const core = await openCore(loadConfig({ env: process.env, overrides: settings }))
  try {
    const client = await core.auth.createClient(
      { name, scopes: scopes.split(' ').filter((s) => s !== '') },
      CLI_REQUEST,
      null,
    )
    process.stdout.write(
      `client_id:     ${client.clientId}\nclient_secret: ${client.clientSecret}\nscopes:        ${client.scopes.join(' ')}\n`,
    )
    return 0
  } finally {
    await core.close()
  }
}
