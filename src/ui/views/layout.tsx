import type { ComponentChildren } from 'preact'
import type { PageContext } from './context.js'

export function Layout(props: {
  ctx: PageContext
  title: string
  narrow?: boolean
  /** Loads the WebAuthn library (before the page's script, which uses it). */
  passkeys?: boolean
  children: ComponentChildren
}) {
  const { ctx } = props
  const { t } = ctx
  const current = (section: PageContext['section']) =>
    ctx.section === section ? ('page' as const) : undefined
  return (
    <html lang={t.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        {/* No favicon request (and no 404 for it). */}
        <link rel="icon" href="data:," />
        <title>{`${props.title} · ${ctx.product}`}</title>
        <link rel="stylesheet" href={ctx.assets.stylesheet} />
        {props.passkeys && <script src={ctx.assets.webauthn} defer />}
        <script src={ctx.assets.script} defer />
      </head>
      <body>
        <a class="skip" href="#main">
          {t.common.skipToContent}
        </a>
        <header class="top">
          <div class="bar">
            <a class="brand" href={`${ctx.root}/`}>
              {ctx.product}
            </a>
            <nav aria-label={t.common.mainNavigation}>
              <ul>
                {ctx.user ? (
                  <>
                    <li>
                      <a href={`${ctx.root}/account`} aria-current={current('account')}>
                        {t.common.account}
                      </a>
                    </li>
                    {ctx.user.admin && (
                      <li>
                        <a href={`${ctx.root}/admin`} aria-current={current('admin')}>
                          {t.common.admin}
                        </a>
                      </li>
                    )}
                    <li>
                      <form method="post" action={`${ctx.root}/sign-out`} class="inline">
                        <input type="hidden" name="csrf" value={ctx.csrf} />
                        <button type="submit" class="secondary">
                          {t.common.signOut}
                        </button>
                      </form>
                    </li>
                  </>
                ) : (
                  <>
                    <li>
                      <a href={`${ctx.root}/sign-in`} aria-current={current('sign-in')}>
                        {t.common.signIn}
                      </a>
                    </li>
                    <li>
                      <a href={`${ctx.root}/sign-up`} aria-current={current('sign-up')}>
                        {t.common.signUp}
                      </a>
                    </li>
                  </>
                )}
              </ul>
            </nav>
          </div>
        </header>
        <main id="main" class={props.narrow ? 'narrow' : undefined}>
          {props.children}
        </main>
      </body>
    </html>
  )
}
