import { format } from '../../../ui/messages.js'
import { CsrfField, Form } from '../../../ui/views/components.js'
import type { PageContext } from '../../../ui/views/context.js'
import { Layout } from '../../../ui/views/layout.js'

/**
 * The consent page (OIDC Core §3.1.2.4): who asks, for what, and two buttons. Both post
 * the authorization request back with the decision; the answer sends the browser to the
 * app either way.
 */
export function ConsentPage(props: {
  ctx: PageContext
  action: string
  appName: string
  appOrigin: string
  scopes: string[]
  parameters: Record<string, string>
}) {
  const { ctx } = props
  const { t } = ctx
  return (
    <Layout ctx={ctx} title={t.apps.consentTitle} narrow>
      <h1>{format(t.apps.consentHeading, { app: props.appName, product: ctx.product })}</h1>
      <section class="card">
        {ctx.user && <p>{format(t.apps.signedInAs, { username: ctx.user.username })}</p>}
        <p>{t.apps.asks}</p>
        <ul>
          {props.scopes.map((scope) => (
            <li key={scope}>{describeScope(ctx, scope)}</li>
          ))}
        </ul>
        <form method="post" action={props.action} class="stack" aria-label={t.apps.consentTitle}>
          <CsrfField ctx={ctx} />
          {Object.entries(props.parameters).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <div class="actions">
            <button type="submit" name="decision" value="allow">
              {t.apps.allow}
            </button>
            <button type="submit" name="decision" value="deny" class="secondary">
              {t.apps.deny}
            </button>
          </div>
        </form>
        <p class="note">{format(t.apps.redirectNote, { origin: props.appOrigin })}</p>
      </section>
    </Layout>
  )
}

export function describeScope(ctx: PageContext, scope: string): string {
  return ctx.t.apps.scope[scope] ?? format(ctx.t.apps.apiScope, { scope })
}

/** RP-initiated logout without proof of who asks: the user confirms (§2 of the spec). */
export function LogoutConfirmPage(props: {
  ctx: PageContext
  action: string
  appName: string | null
  parameters: Record<string, string>
}) {
  const { ctx } = props
  const { t } = ctx
  return (
    <Layout ctx={ctx} title={t.apps.logoutTitle} narrow>
      <h1>{format(t.apps.logoutHeading, { product: ctx.product })}</h1>
      <section class="card">
        {props.appName !== null && <p>{format(t.apps.logoutAsked, { app: props.appName })}</p>}
        <Form ctx={ctx} action={props.action} label={t.apps.logoutTitle}>
          {Object.entries(props.parameters).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <button type="submit">{t.apps.logoutSubmit}</button>
        </Form>
      </section>
    </Layout>
  )
}

export function SignedOutPage({ ctx }: { ctx: PageContext }) {
  const { t } = ctx
  return (
    <Layout ctx={ctx} title={t.apps.signedOutTitle} narrow>
      <h1>{t.apps.signedOutTitle}</h1>
      <p>{format(t.apps.signedOut, { product: ctx.product })}</p>
      <p>
        <a href={`${ctx.root}/sign-in`}>{t.common.signIn}</a>
      </p>
    </Layout>
  )
}
