import { CLI_REQUEST } from '../request-context.js'
import { withExistingDatabase, type Settings } from '../open.js'
import { createClient } from '../../auth/clients.js'

export const CLIENTS_USAGE = 'usage: gatehouse clients create NAME [--scopes "a b"] [--introspect]'

/** `clients create NAME --scopes "a b"`: prints the client_id and the secret, once. */
export async function clientsCommand(
  args: string[],
  settings: Settings,
  flags: { scopes: string; introspect: boolean },
): Promise<number> {
  const [action, name] = args
  if (action !== 'create' || name === undefined) {
    process.stderr.write(`${CLIENTS_USAGE}\n`)
    return 2
  }
  return withExistingDatabase(settings, async (core) => {
    const client = await createClient(
      core.auth,
      {
        name,
        scopes: flags.scopes.split(' ').filter((s) => s !== ''),
        introspect: flags.introspect,
      },
      CLI_REQUEST,
      null,
    )
    process.stdout.write(
      `client_id:     ${client.clientId}\nclient_secret: ${client.clientSecret}\n` +
        `scopes:        ${client.scopes.join(' ')}\nintrospect:    ${client.introspect}\n`,
    )
    return 0
  })
}
