import { format } from '../../../ui/messages.js'
import { Field, Form, FormError, Notice, type FormState } from '../../../ui/views/components.js'
import type { PageContext } from '../../../ui/views/context.js'
import { Layout } from '../../../ui/views/layout.js'
import { PasskeyForm } from '../../second-factors/index.js'

export function SignInPage(props: {
  ctx: PageContext
  returnTo: string | null
  notice?: string | undefined
  state?: FormState
}) {
  const { ctx } = props
  const { t } = ctx
  const query = props.returnTo ? `?return_to=${encodeURIComponent(props.returnTo)}` : ''
  return (
    <Layout ctx={ctx} title={t.signIn.title} narrow passkeys>
      <h1>{format(t.signIn.heading, { product: ctx.product })}</h1>
      <Notice text={props.notice} />
      <section class="card">
        <FormError state={props.state} />
        <Form ctx={ctx} action={`${ctx.root}/sign-in${query}`} label={t.signIn.title}>
          <Field
            name="username"
            label={t.common.username}
            autocomplete="username"
            required
            autofocus
            state={props.state}
          />
          <Field
            name="password"
            label={t.common.password}
            type="password"
            autocomplete="current-password"
            required
            state={props.state}
          />
          <button type="submit">{t.signIn.submit}</button>
        </Form>
        <PasskeyForm
          ctx={ctx}
          purpose="sign_in"
          action={`${ctx.root}/passkey${query}`}
          label={t.mfa.signInWithPasskey}
        />
      </section>
      <p>
        <a href={`${ctx.root}/forgot-password`}>{t.signIn.forgotPassword}</a>
      </p>
      <p>
        {t.signIn.noAccount} <a href={`${ctx.root}/sign-up`}>{t.common.signUp}</a>
      </p>
    </Layout>
  )
}
