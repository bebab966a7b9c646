import { CLI_REQUEST } from '../../../cli/request-context.js'
import { withExistingDatabase, type Settings } from '../../../cli/open.js'
import { createClient } from '../auth/clients.js'

export const CLIENTS_USAGE =
  'usage: gatehouse clients create NAME [--scopes "a b"] [--introspect] [--redirect-uri URI]... [--public]'

export interface ClientFlags {
  scopes: string
  introspect: boolean
  redirectUris: string[]
  postLogoutRedirectUris: string[]
  grantTypes: string | undefined
  authMethod: string | undefined
  skipConsent: boolean
  idTokenAlg: string | undefined
}

/** `clients create NAME --scopes "a b"`: prints the client_id and the secret, once. */
export async function clientsCommand(
  args: string[],
  settings: Settings,
  flags: ClientFlags,
): Promise<number> {
  const [action, name] = args
  if (action !== 'create' || name === undefined) {
    process.stderr.write(`${CLIENTS_USAGE}\n`)
    return 2
  }
  const words = (value: string) => value.split(' ').filter((s) => s !== '')
  return withExistingDatabase(settings, async (core) => {
    const client = await createClient(
      core.auth,
      {
        name,
        scopes: words(flags.scopes),
        introspect: flags.introspect,
        redirectUris: flags.redirectUris,
        postLogoutRedirectUris: flags.postLogoutRedirectUris,
        grantTypes: flags.grantTypes === undefined ? undefined : words(flags.grantTypes),
        tokenEndpointAuthMethod: flags.authMethod,
        skipConsent: flags.skipConsent,
        idTokenAlg: flags.idTokenAlg,
      },
      CLI_REQUEST,
      null,
    )
    const lines = [
      `client_id:     ${client.clientId}`,
      ...(client.clientSecret === null ? [] : [`client_secret: ${client.clientSecret}`]),
      `scopes:        ${client.scopes.join(' ')}`,
      `introspect:    ${client.introspect}`,
      `grant_types:   ${client.grantTypes.join(' ')}`,
      `auth_method:   ${client.tokenEndpointAuthMethod}`,
      ...(client.redirectUris.length > 0
        ? [`redirect_uris: ${client.redirectUris.join(' ')}`]
        : []),
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
    return 0
  })
}
