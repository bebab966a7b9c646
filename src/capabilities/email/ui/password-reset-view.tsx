import { Field, Form, FormError, Notice, type FormState } from '../../../ui/views/components.js'
import type { PageContext } from '../../../ui/views/context.js'
import { Layout } from '../../../ui/views/layout.js'

/** Asks for the address; after posting, the same answer whatever the address. */
export function ForgotPasswordPage(props: {
  ctx: PageContext
  sent?: boolean
  state?: FormState | undefined
}) {
  const { ctx } = props
  const { t } = ctx
  return (
    <Layout ctx={ctx} title={t.forgotPassword.title} narrow>
      <h1>{t.forgotPassword.title}</h1>
      {props.sent ? (
        <Notice text={t.forgotPassword.sent} />
      ) : (
        <section class="card">
          <p>{t.forgotPassword.intro}</p>
          <FormError state={props.state} />
          <Form ctx={ctx} action={`${ctx.root}/forgot-password`} label={t.forgotPassword.title}>
            <Field
              name="email"
              label={t.forgotPassword.email}
              type="email"
              autocomplete="email"
              required
              autofocus
              state={props.state}
            />
            <button type="submit">{t.forgotPassword.submit}</button>
          </Form>
        </section>
      )}
      <p>
        <a href={`${ctx.root}/sign-in`}>{t.forgotPassword.backToSignIn}</a>
      </p>
    </Layout>
  )
}

/**
 * Opened from the mail: the form for the new password, with the token in a hidden field.
 * Opening it spends nothing; posting the form does.
 */
export function ResetPasswordPage(props: {
  ctx: PageContext
  token: string | null
  state?: FormState | undefined
}) {
  const { ctx } = props
  const { t } = ctx
  return (
    <Layout ctx={ctx} title={t.resetPassword.title} narrow>
      <h1>{t.resetPassword.title}</h1>
      {props.token === null ? (
        <div class="alert" role="alert">
          <p>{t.resetPassword.missing}</p>
        </div>
      ) : (
        <section class="card">
          <p>{t.resetPassword.intro}</p>
          <FormError state={props.state} />
          <Form ctx={ctx} action={`${ctx.root}/reset-password`} label={t.resetPassword.title}>
            <input type="hidden" name="token" value={props.token} />
            <Field
              name="new_password"
              label={t.resetPassword.newPassword}
              type="password"
              autocomplete="new-password"
              hint={t.signUp.passwordHint}
              required
              autofocus
              state={props.state}
            />
            <button type="submit">{t.resetPassword.submit}</button>
          </Form>
        </section>
      )}
      <p>
        <a href={`${ctx.root}/forgot-password`}>{t.resetPassword.requestAnother}</a>
      </p>
    </Layout>
  )
}
