import type { PageContext } from './context.js'
import { Layout } from './layout.js'

export function ErrorPage(props: { ctx: PageContext; title: string; message: string }) {
  const { ctx } = props
  return (
    <Layout ctx={ctx} title={props.title} narrow>
      <h1>{props.title}</h1>
      <div class="alert" role="alert">
        <p>{props.message}</p>
      </div>
      <p>
        <a href={`${ctx.root}/`}>{ctx.t.errors.home}</a>
      </p>
    </Layout>
  )
}
