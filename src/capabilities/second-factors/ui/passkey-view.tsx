import type { ComponentChildren } from 'preact'
import { CsrfField } from '../../../ui/views/components.js'
import type { PageContext } from '../../../ui/views/context.js'

/**
 * A form the page script completes with a WebAuthn ceremony: hidden until the script
 * finds the browser can do it (so it is never a dead button with JavaScript off), then
 * it fetches options, lets the authenticator answer and posts the answer like any form.
 */
export function PasskeyForm(props: {
  ctx: PageContext
  purpose: 'register' | 'sign_in' | 'second_factor'
  action: string
  label: string
  children?: ComponentChildren
}) {
  const { ctx } = props
  return (
    <form
      method="post"
      action={props.action}
      class="stack passkey"
      data-passkey={props.purpose}
      data-options={`${ctx.root}/passkey/options`}
      aria-label={props.label}
      hidden
    >
      <CsrfField ctx={ctx} />
      <input type="hidden" name="flow_id" value="" />
      <input type="hidden" name="response" value="" />
      {props.children}
      <p class="alert passkey-error" data-passkey-error hidden role="status" />
      <button type="submit" class="secondary">
        {props.label}
      </button>
    </form>
  )
}
