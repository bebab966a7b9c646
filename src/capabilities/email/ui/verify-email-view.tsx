import { Form, Notice } from '../../../ui/views/components.js'
import type { PageContext } from '../../../ui/views/context.js'
import { Layout } from '../../../ui/views/layout.js'

/**
 * Opening the link shows this page and spends nothing (mail scanners open links too); the
 * button posts the token, which spends it.
 */
export function VerifyEmailPage(props: { ctx: PageContext; token: string | null; done?: boolean }) {
  const { ctx } = props
  const { t } = ctx
  return (
    <Layout ctx={ctx} title={t.verifyEmail.title} narrow>
      <h1>{t.verifyEmail.title}</h1>
      {props.done ? (
        <Notice text={t.verifyEmail.done} />
      ) : props.token === null ? (
        <div class="alert" role="alert">
          <p>{t.verifyEmail.missing}</p>
        </div>
      ) : (
        <section class="card">
          <p>{t.verifyEmail.intro}</p>
          <Form ctx={ctx} action={`${ctx.root}/verify-email`} label={t.verifyEmail.title}>
            <input type="hidden" name="token" value={props.token} />
            <button type="submit">{t.verifyEmail.submit}</button>
          </Form>
        </section>
      )}
    </Layout>
  )
}
