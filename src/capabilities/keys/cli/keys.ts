import { CLI_REQUEST } from '../../../cli/request-context.js'
import { withExistingDatabase, type Settings } from '../../../cli/open.js'
import { listSigningKeys, revokeSigningKey, rotateSigningKeys } from '../auth/signing-keys.js'

export const KEYS_USAGE = 'usage: gatehouse keys list | keys rotate | keys revoke KID'

/**
 * Running servers hear of a change at once through Redis (or the primary of `--workers`);
 * otherwise they see it when they next re-read their keys (every 5 s, http/plugin.ts).
 */
const PICKUP = 'running servers use it at once with REDIS_URL, otherwise within 5 seconds'

/** `keys list`, `keys rotate` (promote the published next key), `keys revoke KID`. */
export async function keysCommand(args: string[], settings: Settings): Promise<number> {
  const [action, kid] = args
  const valid =
    ((action === 'rotate' || action === 'list') && kid === undefined) ||
    (action === 'revoke' && kid !== undefined)
  if (!valid) {
    process.stderr.write(`${KEYS_USAGE}\n`)
    return 2
  }
  return withExistingDatabase(settings, async (core) => {
    if (action === 'rotate') {
      const kids = await rotateSigningKeys(core.auth, null, CLI_REQUEST)
      process.stdout.write(`current ${kids.current}\nnext    ${kids.next}\n(${PICKUP})\n`)
      return 0
    }
    if (action === 'revoke') {
      const kids = await revokeSigningKey(core.auth, kid ?? '', null, CLI_REQUEST)
      process.stdout.write(
        `revoked ${kid}: no longer published, every token it signed is refused\n` +
          `current ${kids.current}\nnext    ${kids.next}\n(${PICKUP}; ` +
          'POST /admin/keys/{kid}/revoke acts on every instance at once)\n',
      )
      return 0
    }
    for (const key of listSigningKeys(core.auth)) {
      process.stdout.write(
        `${key.status.padEnd(8)} ${key.alg.padEnd(6)} ${key.kid} ${new Date(key.createdAt).toISOString()} ${key.use}\n`,
      )
    }
    return 0
  })
}
