/** One message as the transport sends it. */
export interface MailMessage {
  to: string
  subject: string
  text: string
  html: string
}

/** Where mail goes: an SMTP server (nodemailer). */
export interface MailTransport {
  /** Resolves when the server accepted the message; rejects with the reason otherwise. */
  send(message: MailMessage): Promise<void>
  close(): void
}

/**
 * nodemailer over `smtp://` (STARTTLS when the server offers it) or `smtps://` (TLS from
 * the first byte), with the user and password taken from the URL. Loaded on use, so a
 * server without mail never loads it.
 */
export async function createSmtpTransport(
  url: string,
  from: string,
  options: { timeoutMs?: number } = {},
): Promise<MailTransport> {
  const { createTransport } = await import('nodemailer')
  const timeout = options.timeoutMs ?? 10_000
  // A hung server must not hold a delivery forever: these bound every phase. Pooled: a
  // batch goes out over a few kept connections instead of one new connection (and TLS
  // handshake) per message, which held the queue to ~7 messages/s (docs/performance.md).
  const transporter = createTransport(
    {
      url,
      pool: true,
      maxConnections: 4,
      maxMessages: 100,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    },
    { from },
  )
  return {
    async send(message) {
      await transporter.sendMail({ from, ...message })
    },
    close: () => transporter.close(),
  }
}
