import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'

/** A real SMTP server on 127.0.0.1 that keeps what it receives, parsed. */
export interface TestSmtp {
  port: number
  url: string
  received: ParsedMail[]
  /** Answer every message with a temporary failure (451) while true. */
  failing: boolean
  /** Resolves once `count` messages have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>
  /** Stops listening: the port refuses connections until `start()`. */
  stop(): Promise<void>
  start(): Promise<void>
}

export async function startTestSmtp(port = 0): Promise<TestSmtp> {
  let server: SMTPServer | null = null
  const smtp: TestSmtp = {
    port,
    url: '',
    received: [],
    failing: false,
    async waitFor(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs
      while (smtp.received.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} messages, got ${smtp.received.length}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      return smtp.received
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (!server) return resolve()
        server.close(() => resolve())
        server = null
      }),
    start: () =>
      new Promise<void>((resolve, reject) => {
        server = new SMTPServer({
          authOptional: true,
          disabledCommands: ['STARTTLS'],
          logger: false,
          onData(stream, _session, callback) {
            simpleParser(stream)
              .then((mail) => {
                if (smtp.failing) {
                  const error = new Error('try again later') as Error & { responseCode: number }
                  error.responseCode = 451
                  return callback(error)
                }
                smtp.received.push(mail)
                callback()
              })
              .catch(callback)
          },
        })
        server.on('error', reject)
        server.listen(smtp.port, '127.0.0.1', () => {
          const address = server?.server.address()
          if (address && typeof address === 'object') smtp.port = address.port
          smtp.url = `smtp://127.0.0.1:${smtp.port}`
          resolve()
        })
      }),
  }
  await smtp.start()
  return smtp
}
