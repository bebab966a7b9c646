import { Field, Form, FormError, type FormState } from '../../../ui/views/components.js'
import type { PageContext } from '../../../ui/views/context.js'
import { Layout } from '../../../ui/views/layout.js'
import { PasskeyForm } from './passkey-view.js'

/**
 * The second step of signing in. The `mfa_token` travels in a hidden field, never in the
 * address, so it reaches no log or Referer.
 */
export function MfaPage(props: {
  ctx: PageContext
  mfaToken: string
  returnTo: string | null
  /** Whether the user has a passkey to finish with instead of a code. */
  passkey: boolean
  state?: FormState | undefined
}) {
  const { ctx } = props
  const { t } = ctx
  return (
    <Layout ctx={ctx} title={t.mfa.signInTitle} narrow passkeys={props.passkey}>
      <h1>{t.mfa.signInTitle}</h1>
      <section class="card">
        <p>{t.mfa.signInIntro}</p>
        <FormError state={props.state} />
        <Form ctx={ctx} action={`${ctx.root}/mfa`} label={t.mfa.signInTitle}>
          <input type="hidden" name="mfa_token" value={props.mfaToken} />
          {props.returnTo && <input type="hidden" name="return_to" value={props.returnTo} />}
          <Field
            name="code"
            label={t.mfa.codeOrRecovery}
            autocomplete="one-time-code"
            hint={t.mfa.codeHint}
            required
            autofocus
            state={props.state}
          />
          <button type="submit">{t.mfa.verify}</button>
        </Form>
        {props.passkey && (
          <PasskeyForm
            ctx={ctx}
            purpose="second_factor"
            action={`${ctx.root}/mfa`}
            label={t.mfa.usePasskey}
          >
            <input type="hidden" name="mfa_token" value={props.mfaToken} />
            {props.returnTo && <input type="hidden" name="return_to" value={props.returnTo} />}
          </PasskeyForm>
        )}
      </section>
    </Layout>
  )
}
