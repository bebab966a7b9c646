import { format } from '../../../ui/messages.js'
import { Field, Form, FormError, type FormState } from '../../../ui/views/components.js'
import type { PageContext } from '../../../ui/views/context.js'
import { Layout } from '../../../ui/views/layout.js'

export function SignUpPage(props: { ctx: PageContext; emailRequired: boolean; state?: FormState }) {
  const { ctx } = props
  const { t } = ctx
  return (
    <Layout ctx={ctx} title={t.signUp.title} narrow>
      <h1>{format(t.signUp.heading, { product: ctx.product })}</h1>
      <section class="card">
        <FormError state={props.state} />
        <Form ctx={ctx} action={`${ctx.root}/sign-up`} label={t.signUp.title}>
          <Field
            name="username"
            label={t.common.username}
            autocomplete="username"
            required
            autofocus
            state={props.state}
          />
          <Field
            name="email"
            label={props.emailRequired ? t.signUp.emailRequired : t.signUp.email}
            required={props.emailRequired}
            type="email"
            autocomplete="email"
            maxLength={254}
            state={props.state}
          />
          <Field
            name="password"
            label={t.common.password}
            type="password"
            autocomplete="new-password"
            hint={t.signUp.passwordHint}
            required
            state={props.state}
          />
          <button type="submit">{t.signUp.submit}</button>
        </Form>
      </section>
      <p>
        {t.signUp.haveAccount} <a href={`${ctx.root}/sign-in`}>{t.common.signIn}</a>
      </p>
    </Layout>
  )
}
