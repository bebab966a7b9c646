import formBody from '@fastify/formbody'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import type { Auth } from '../auth/context.js'
import { GatehouseError } from '../errors/index.js'
import type { GatehouseInstance } from '../http/route-deps.js'
import { buildAssets } from './assets.js'
import {
  checkFormToken,
  cookieNames,
  isCrossOrigin,
  resolveBrowserSession,
  type BrowserCookies,
} from './browser-session.js'
import { en } from './messages.js'
import { createNonceMemo, describeError, pageContext, sendPage, type PageDeps } from './page.js'
import { IMMUTABLE, setPageHeaders } from './page-headers.js'
import { accountRoutes } from './routes/account.js'
import { adminRoutes } from './routes/admin.js'
import { signInRoutes } from './routes/sign-in.js'
import { mfaRoutes } from './routes/mfa.js'
import { passwordResetRoutes } from './routes/password-reset.js'
import { verifyEmailRoutes } from './routes/verify-email.js'
import { ErrorPage } from './views/error.js'

export interface PagesOptions {
  auth: Auth
  /** Where the pages are reachable, e.g. `/ui` or `/auth/ui`. */
  root: string
  product: string
  accent: string
  secureCookies: boolean
  limitByIp: (request: FastifyRequest) => Promise<void>
}

/**
 * The hosted pages, registered under `/ui` in their own context: HTML forms (urlencoded
 * bodies), strict headers on every answer, errors as pages, and every action through the
 * same use cases as the JSON API.
 */
export async function hostedPages(app: GatehouseInstance, options: PagesOptions): Promise<void> {
  const cookies: BrowserCookies = {
    names: cookieNames(options.secureCookies),
    secure: options.secureCookies,
  }
  const assets = buildAssets(options.accent)
  const deps: PageDeps = {
    auth: options.auth,
    root: options.root,
    product: options.product,
    t: en,
    assets,
    cookies,
    limitByIp: options.limitByIp,
    nonceOf: createNonceMemo(cookies),
  }
  await app.register(formBody)
  // Pages are HTML for people, not API: they stay out of the OpenAPI document.
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true }
  })

  app.addHook('onRequest', async (request, reply) => {
    setPageHeaders(reply)
    // A form posted by another site is refused before its body is read.
    if (request.method === 'POST' && isCrossOrigin(request)) {
      throw new GatehouseError('csrf_failed', deps.t.errors.csrf)
    }
  })
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.config.asset) return
    request.principal = await resolveBrowserSession(deps.auth, request, reply, cookies)
    if (request.method === 'POST') {
      const token = (request.body as { csrf?: unknown } | undefined)?.csrf
      if (!checkFormToken(deps.auth, request, cookies, token)) {
        throw new GatehouseError('csrf_failed', deps.t.errors.csrf)
      }
    }
  })

  app.get(
    '/assets/:file',
    {
      config: { asset: true },
      schema: { params: Type.Object({ file: Type.String({ maxLength: 64 }) }) },
    },
    (request, reply) => {
      const asset = assets.byPath.get(`assets/${request.params.file}`)
      if (!asset) throw new GatehouseError('not_found', deps.t.errors.notFound)
      return reply.header('cache-control', IMMUTABLE).type(asset.type).send(asset.body)
    },
  )

  signInRoutes(app, deps)
  accountRoutes(app, deps)
  adminRoutes(app, deps)
  verifyEmailRoutes(app, deps)
  passwordResetRoutes(app, deps)
  mfaRoutes(app, deps)

  app.setNotFoundHandler((request, reply) => {
    setPageHeaders(reply)
    return errorPage(deps, request, reply, new GatehouseError('not_found', deps.t.errors.notFound))
  })
  app.setErrorHandler((error, request, reply) => errorPage(deps, request, reply, error))
}

function errorPage(deps: PageDeps, request: FastifyRequest, reply: FastifyReply, error: unknown) {
  const { t } = deps
  const { status, message, retryAfter } = describeError(error)
  if (status >= 500) request.log.error({ err: error }, 'page failed')
  if (retryAfter !== undefined) void reply.header('retry-after', retryAfter)
  const title =
    status === 404
      ? t.errors.notFoundTitle
      : status === 403
        ? t.errors.forbiddenTitle
        : t.errors.title
  const text =
    status >= 500
      ? t.errors.internal
      : (error as { validation?: unknown }).validation
        ? t.errors.badForm
        : message
  return sendPage(
    reply,
    status,
    <ErrorPage ctx={pageContext(deps, request, reply, 'none')} title={title} message={text} />,
  )
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A hashed asset: no session, no CSRF check. */
    asset?: boolean
  }
}
