import type { ComponentChildren } from 'preact'
import { renderToString } from 'preact-render-to-string'
import type { MailMessage } from './transport.js'

/** What every message knows: who it is for and where the pages are. */
export interface MailContext {
  product: string
  /** The issuer: links point at `<issuer>/ui/…`. */
  issuer: string
  to: string
  username: string
}

function Html(props: { product: string; children: ComponentChildren }) {
  return (
    <html lang="en">
      <body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1b1d22">
        <p style="font-weight: 700">{props.product}</p>
        {props.children}
      </body>
    </html>
  )
}

/** Text and HTML of one message; the HTML is rendered with every value escaped. */
function message(
  to: string,
  subject: string,
  text: string,
  html: ComponentChildren,
  product: string,
): MailMessage {
  return {
    to,
    subject,
    text,
    html: `<!doctype html>${renderToString(<Html product={product}>{html}</Html>)}`,
  }
}

/** Told to the verified address after a password change or reset. */
export function passwordChangedNotice(ctx: MailContext, at: Date): MailMessage {
  const when = at.toISOString().replace('T', ' ').slice(0, 16) + ' UTC'
  const account = `${ctx.issuer}/ui/account`
  return message(
    ctx.to,
    `Your ${ctx.product} password was changed`,
    [
      `Hello ${ctx.username},`,
      '',
      `the password of your ${ctx.product} account was changed on ${when}, and your other sessions were ended.`,
      'If that was you, there is nothing to do.',
      '',
      `If it was not, sign in and change it at once, or ask your administrator for help: ${account}`,
      '',
    ].join('\n'),
    <>
      <p>Hello {ctx.username},</p>
      <p>
        the password of your {ctx.product} account was changed on {when}, and your other sessions
        were ended. If that was you, there is nothing to do.
      </p>
      <p>
        If it was not, <a href={account}>sign in and change it at once</a>, or ask your
        administrator for help.
      </p>
    </>,
    ctx.product,
  )
}

/** The link that proves an address is the user's. Opening it spends nothing. */
export function verifyEmailMessage(ctx: MailContext, link: string, hours: number): MailMessage {
  return message(
    ctx.to,
    `Confirm your email address for ${ctx.product}`,
    [
      `Hello ${ctx.username},`,
      '',
      `please confirm that this is your address for your ${ctx.product} account:`,
      '',
      link,
      '',
      `The link works once, for ${hours} hours. If you did not ask for it, ignore this message.`,
      '',
    ].join('\n'),
    <>
      <p>Hello {ctx.username},</p>
      <p>please confirm that this is your address for your {ctx.product} account:</p>
      <p>
        <a href={link}>Confirm my address</a>
      </p>
      <p>The link works once, for {hours} hours. If you did not ask for it, ignore this message.</p>
    </>,
    ctx.product,
  )
}
