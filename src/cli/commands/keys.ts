import { loadConfig } from '../../config/load.js'
import type { SettingName } from '../../config/schema.js'
import { openCore } from '../../core.js'
import { CLI_REQUEST } from '../request-context.js'

/** `keys rotate` promotes the published next key; `keys list` shows the published keys. */
export async function keysCommand(
  args: string[],
  settings: Partial<Record<SettingName, unknown>>,
): Promise<number> {
  const [action] = args
  if (action !== 'rotate' && action !== 'list') {
    process.stderr.write('usage: gatehouse keys rotate | keys list\n')
    return 2
  }
  const core = await openCore(loadConfig({ env: process.env, overrides: settings }))
  try {
    if (action === 'rotate') {
      const kids = await core.auth.rotateSigningKeys(null, CLI_REQUEST)
      process.stdout.write(`current ${kids.current}\nnext    ${kids.next}\n`)
      return 0
    }
    for (const key of core.auth.listSigningKeys()) {
      process.stdout.write(
        `${key.status.padEnd(8)} ${key.alg.padEnd(6)} ${key.kid} ${new Date(key.createdAt).toISOString()}\n`,
      )
    }
    return 0
  } finally {
    await core.close()
  }
}
