import Type from 'typebox'
import { verifyEmail } from '../../auth/email-verification.js'
import { requestContext, type GatehouseInstance } from '../../http/route-deps.js'
import { formBody, text } from '../forms.js'
import { pageContext, sendPage, type PageDeps } from '../page.js'
import { VerifyEmailPage } from '../views/verify-email.js'

export function verifyEmailRoutes(app: GatehouseInstance, deps: PageDeps): void {
  app.get(
    '/verify-email',
    {
      schema: {
        querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 256 })) }),
      },
    },
    (request, reply) =>
      sendPage(
        reply,
        request.query.token ? 200 : 400,
        <VerifyEmailPage
          ctx={pageContext(deps, request, reply, 'none')}
          token={request.query.token ?? null}
        />,
      ),
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
