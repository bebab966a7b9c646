import { verifyEmail } from '../auth/verify-email.js'
import { requestContext, type GatehouseInstance } from '../../../http/route-deps.js'
import { formBody, text } from '../../../ui/forms.js'
import { LinkQuery, pageContext, sendLinkPage, sendPage, type PageDeps } from '../../../ui/page.js'
import { VerifyEmailPage } from './verify-email-view.js'

export function verifyEmailRoutes(app: GatehouseInstance, deps: PageDeps): void {
  app.get('/verify-email', { schema: { querystring: LinkQuery } }, (request, reply) =>
    sendLinkPage(reply, request.query.token, (token) => (
      <VerifyEmailPage ctx={pageContext(deps, request, reply, 'none')} token={token} />
    )),
  )

  // Errors (an expired or spent link) become the error page, with the catalogue's text.
  app.post(
    '/verify-email',
    { onRequest: deps.limitByIp, schema: { body: formBody({ token: text(256) }) } },
    async (request, reply) => {
      await verifyEmail(deps.auth, request.body.token, requestContext(request))
      return sendPage(
        reply,
        200,
        <VerifyEmailPage ctx={pageContext(deps, request, reply, 'none')} token={null} done />,
      )
    },
  )
}
