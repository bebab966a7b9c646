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

/**
 * A paragraph of a message: plain text, or text followed by a link. In the text part the
 * link's address stands on its own line (mail clients make it clickable; tests and people
 * can copy it); in the HTML part it is a link labelled `label`.
 */
type Paragraph = string | { text: string; href: string; label: string }

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

/**
 * Text and HTML of one message from the same paragraphs, so the two parts never say
 * different things. The HTML is rendered by Preact, with every value escaped.
 */
function compose(ctx: MailContext, subject: string, paragraphs: Paragraph[]): MailMessage {
  const all: Paragraph[] = [`Hello ${ctx.username},`, ...paragraphs]
  const text = all.map((p) => (typeof p === 'string' ? p : `${p.text}\n\n${p.href}`)).join('\n\n')
  const html = all.map((p) =>
    typeof p === 'string' ? (
      <p>{p}</p>
    ) : (
      <>
        <p>{p.text}</p>
        <p>
          <a href={p.href}>{p.label}</a>
        </p>
      </>
    ),
  )
  return {
    to: ctx.to,
    subject,
    text: `${text}\n`,
    html: `<!doctype html>${renderToString(<Html product={ctx.product}>{html}</Html>)}`,
  }
}

const minutesOf = (at: Date) => at.toISOString().replace('T', ' ').slice(0, 16) + ' UTC'

/** The way out when a notice is news to its reader. */
function notYou(ctx: MailContext, advice: string): Paragraph {
  return {
    text: `If it was not, ${advice}, or ask your administrator for help:`,
    href: `${ctx.issuer}/ui/account`,
    label: 'Open my account',
  }
}

/** Told to the verified address after a password change or reset. */
export function passwordChangedNotice(
  ctx: MailContext,
  at: Date,
  how: 'changed' | 'reset' = 'changed',
  apiKeysRevoked = 0,
): MailMessage {
  const ended = how === 'reset' ? 'every session was ended' : 'your other sessions were ended'
  const keys =
    apiKeysRevoked > 0
      ? ` Your API keys (${apiKeysRevoked}) were revoked too: programs that used them need new ones, which you can create on your account page.`
      : ''
  return compose(ctx, `Your ${ctx.product} password was ${how}`, [
    `the password of your ${ctx.product} account was ${how} on ${minutesOf(at)}, and ${ended}.${keys} If that was you, there is nothing else to do.`,
    notYou(ctx, 'reset it at once from the sign-in page'),
  ])
}

/**
 * To the verified owner of an address someone else typed (signing up, or as their new
 * address): nothing changed, and nothing was sent to prove it for them.
 */
export function addressInUseNotice(ctx: MailContext, at: Date): MailMessage {
  return compose(ctx, `Someone tried to use your address at ${ctx.product}`, [
    `on ${minutesOf(at)} someone gave this address for another ${ctx.product} account (signing up, or changing an account's address). Nothing changed: the address stays with your account, and no link to claim it was sent.`,
    `If that was you, sign in to your existing account instead; if you forgot its password, reset it from the sign-in page. Otherwise there is nothing to do.`,
  ])
}

/** The link that proves an address is the user's. Opening it spends nothing. */
export function verifyEmailMessage(ctx: MailContext, link: string, hours: number): MailMessage {
  return compose(ctx, `Confirm your email address for ${ctx.product}`, [
    {
      text: `please confirm that this is your address for your ${ctx.product} account named "${ctx.username}":`,
      href: link,
      label: 'Confirm my address',
    },
    // Named, so that the owner of an address someone else typed does not confirm it for them.
    `The link works once, for ${hours} hours. If you did not ask for it, or that account is not yours, ignore this message: the address stays free for you.`,
  ])
}

/** The link to choose a new password; asked for on the forgot-password page. */
export function passwordResetMessage(ctx: MailContext, link: string, minutes: number): MailMessage {
  return compose(ctx, `Reset your ${ctx.product} password`, [
    {
      text: `someone (we hope you) asked to reset the password of your ${ctx.product} account. Choose a new one here:`,
      href: link,
      label: 'Choose a new password',
    },
    `The link works once, for ${minutes} minutes, and resetting ends every session of the account. If you did not ask for it, ignore this message: your password stays as it is.`,
  ])
}

/** To the new address of a change: it replaces the old one only when this link is used. */
export function confirmNewEmailMessage(ctx: MailContext, link: string, hours: number): MailMessage {
  return compose(ctx, `Confirm your new email address for ${ctx.product}`, [
    {
      text: `please confirm that this is the new address of your ${ctx.product} account. Until you do, the old address stays in place:`,
      href: link,
      label: 'Confirm my new address',
    },
    `The link works once, for ${hours} hours. If you did not ask for it, ignore this message.`,
  ])
}

/** To the old, verified address when a change to `next` is asked for. */
export function emailChangeRequestedNotice(ctx: MailContext, next: string, at: Date): MailMessage {
  return compose(ctx, `A new email address was requested for your ${ctx.product} account`, [
    `on ${minutesOf(at)} someone signed in to your ${ctx.product} account asked to change its address to ${next}. It changes only once a link sent there is used. If that was you, there is nothing to do.`,
    notYou(ctx, 'change your password at once'),
  ])
}

/** To the old, verified address once the change is done (`next` null: the address was removed). */
export function emailChangedNotice(ctx: MailContext, next: string | null, at: Date): MailMessage {
  const what = next === null ? 'removed' : `changed to ${next}`
  return compose(ctx, `The email address of your ${ctx.product} account was changed`, [
    `on ${minutesOf(at)} the address of your ${ctx.product} account was ${what}. This address gets no more mail about the account. If that was you, there is nothing to do.`,
    notYou(ctx, 'change your password at once'),
  ])
}

/** To the verified address when a second factor is added or removed, or codes renewed. */
export function secondFactorNotice(ctx: MailContext, change: string, at: Date): MailMessage {
  return compose(ctx, `The sign-in protection of your ${ctx.product} account changed`, [
    `on ${minutesOf(at)} ${change}. If that was you, there is nothing to do.`,
    notYou(ctx, 'change your password and check your second factors at once'),
  ])
}
