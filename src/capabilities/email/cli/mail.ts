import { listMail } from '../auth/mail.js'
import { withExistingDatabase, type Settings } from '../../../cli/open.js'

export const MAIL_USAGE = 'usage: gatehouse mail outbox'

/** How many messages `mail outbox` prints, newest first. */
const SHOWN = 20

/**
 * `mail outbox`: the messages kept because no SMTP server is configured, newest first,
 * with their text, so development needs no mail server to follow a link.
 */
export async function mailCommand(args: string[], settings: Settings): Promise<number> {
  if (args[0] !== 'outbox' || args.length !== 1) {
    process.stderr.write(`${MAIL_USAGE}\n`)
    return 2
  }
  return withExistingDatabase(settings, async (core) => {
    const messages = await listMail(core.auth, 'outbox', SHOWN)
    if (messages.length === 0) {
      process.stdout.write('the outbox is empty\n')
      return 0
    }
    for (const message of messages) {
      process.stdout.write(
        `--- ${new Date(message.createdAt).toISOString()}\n` +
          `To: ${message.to}\nSubject: ${message.subject}\n\n${message.text}\n`,
      )
    }
    return 0
  })
}
