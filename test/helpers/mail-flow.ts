import type { ParsedMail } from 'mailparser'
import { buildTestApp, type TestApp } from './build-test-app.js'
import { freePort } from './browser.js'
import { startTestSmtp, type TestSmtp } from './smtp.js'

export interface JsonAnswer {
  status: number
  headers: Headers
  body: Record<string, unknown>
}

/** A listening Gatehouse whose mail goes to a real SMTP server, and a JSON client for it. */
export interface MailFlow {
  t: TestApp
  smtp: TestSmtp
  /** `http://127.0.0.1:<port>`: the issuer, so the links in the mail point here. */
  base: string
  /** GET without a body, else POST of JSON; with a bearer token if given. */
  call(path: string, body?: unknown, token?: string): Promise<JsonAnswer>
  /** An access token from `POST /login`. */
  login(username: string, password: string): Promise<string>
  close(): Promise<void>
}

export async function startMailFlow(settings: Record<string, unknown> = {}): Promise<MailFlow> {
  const smtp = await startTestSmtp()
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const t = await buildTestApp({ demo: true, issuer: base, smtpUrl: smtp.url, ...settings })
  await t.app.listen({ host: '127.0.0.1', port })
  const call = async (path: string, body?: unknown, token?: string): Promise<JsonAnswer> => {
    const res = await fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(token && { authorization: `Bearer ${token}` }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    return {
      status: res.status,
      headers: res.headers,
      body: (text.startsWith('{') ? JSON.parse(text) : text) as Record<string, unknown>,
    }
  }
  return {
    t,
    smtp,
    base,
    call,
    async login(username, password) {
      const answer = await call('/login', { username, password })
      if (answer.status !== 200) throw new Error(`login of ${username}: ${answer.status}`)
      return answer.body['access_token'] as string
    },
    async close() {
      await t.close()
      await smtp.stop()
    },
  }
}

/** The link to `page` in a message's text part, and its token. */
export function linkOf(
  mail: ParsedMail,
  page: 'verify-email' | 'reset-password' = 'verify-email',
): { link: string; token: string } {
  const pattern = new RegExp(`(http://\\S+/ui/${page}\\?token=\\S+)`)
  const link = pattern.exec(mail.text ?? '')?.[1]
  if (!link) throw new Error(`no ${page} link in: ${mail.text}`)
  return { link, token: new URL(link).searchParams.get('token')! }
}

/** The messages that went to `address` (case-insensitively), oldest first. */
export function mailTo(smtp: TestSmtp, address: string): ParsedMail[] {
  return smtp.received.filter((mail) => {
    const to = mail.to && 'text' in mail.to ? mail.to.text : ''
    return to.toLowerCase().includes(address.toLowerCase())
  })
}

/** Waits until `count` messages went to `address`; returns the last of them. */
export async function nextMailTo(
  smtp: TestSmtp,
  address: string,
  count: number,
  timeoutMs = 15_000,
): Promise<ParsedMail> {
  const deadline = Date.now() + timeoutMs
  while (mailTo(smtp, address).length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} messages to ${address}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return mailTo(smtp, address)[count - 1]!
}
