import formBody from '@fastify/formbody'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import type { Auth } from '../auth/context.js'
import { GatehouseError } from '../errors/index.js'
import type { GatehouseInstance } from '../http/route-deps.js'
import { buildAssets, type Assets } from './assets.js'
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
import { ErrorPage } from './views/error.js'
import type { MountPages, PageHook, PageRoutes } from './mount.js'

export interface PagesOptions {
  auth: Auth
  /** Where Gatehouse is mounted: '' or a plugin prefix such as `/auth`. */
  prefix: string
  product: string
  accent: string
  secureCookies: boolean
  limitByIp: (request: FastifyRequest) => Promise<void>
  /** The capabilities' pages and page hooks, in list order. */
  pages: readonly PageRoutes[]
  hooks: readonly PageHook[]
}

/**
 * The hosted pages in their own context: under `/ui`, and the browser endpoints of the
 * authorization code flow under `/oauth` (authorize, logout). HTML forms (urlencoded
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
    root: `${options.prefix}/ui`,
    oauthRoot: `${options.prefix}/oauth`,
    product: options.product,
    t: en,
    assets,
    cookies,
    limitByIp: options.limitByIp,
    nonceOf: createNonceMemo(cookies),
  }
  const hooks = await Promise.all(options.hooks.map((hook) => hook.load()))
  const loaded = async (prefix: PageRoutes['prefix']) =>
    Promise.all(options.pages.filter((p) => p.prefix === prefix).map((p) => p.load()))
  const [oauthPages, uiPages] = await Promise.all([loaded('/oauth'), loaded('/ui')])
  await app.register(formBody)
  // Pages are HTML for people, not API: they stay out of the OpenAPI document, except
  // the OAuth endpoints that apps send browsers to (they say `hide: false`).
  app.addHook('onRoute', (route) => {
    route.schema = { hide: true, ...route.schema }
  })

  app.addHook('onRequest', async (request, reply) => {
    setPageHeaders(reply)
    // A form posted by another site is refused before its body is read.
    if (
      request.method === 'POST' &&
      !request.routeOptions.config.crossSite &&
      isCrossOrigin(request)
    ) {
      throw new GatehouseError('csrf_failed', deps.t.errors.csrf)
    }
  })
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.config.asset) return
    request.principal = await resolveBrowserSession(deps.auth, request, reply, cookies)
    for (const hook of hooks) await hook(deps, request, reply)
    if (request.method === 'POST' && !request.routeOptions.config.crossSite) {
      const token = (request.body as { csrf?: unknown } | undefined)?.csrf
      if (!checkFormToken(deps.auth, request, cookies, token)) {
        throw new GatehouseError('csrf_failed', deps.t.errors.csrf)
      }
    }
  })

  app.setErrorHandler((error, request, reply) => errorPage(deps, request, reply, error))
  await app.register(
    (oauth: GatehouseInstance, _opts, done) => {
      for (const mount of oauthPages) mount(oauth, deps)
      done()
    },
    { prefix: '/oauth' },
  )
  await app.register((ui: GatehouseInstance) => pageRoutes(ui, deps, assets, uiPages), {
    prefix: '/ui',
  })
}

function pageRoutes(
  app: GatehouseInstance,
  deps: PageDeps,
  assets: Assets,
  pages: readonly MountPages[],
): void {
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

  // The capabilities' pages, each declared in its capability.ts (src/capabilities/).
  for (const mount of pages) mount(app, deps)

  app.setNotFoundHandler((request, reply) => {
    setPageHeaders(reply)
    return errorPage(deps, request, reply, new GatehouseError('not_found', deps.t.errors.notFound))
  })
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
    /**
     * Another site may post here (the OIDC authorization and logout endpoints take POST
     * as well as GET): no origin or CSRF check, and the cookies a browser leaves out of a
     * cross-site POST (SameSite) leave the request signed out.
     */
    crossSite?: boolean
  }
}
