import type { FastifyInstance, FastifyPluginAsync, onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import type { AdditionalClaims } from '../auth/deps.js'
import type { Auth } from '../auth/context.js'
import { deliverAllDueMail } from '../capabilities/email/index.js'
import { runMaintenance } from '../auth/maintenance.js'
import { refreshSigningKeys } from '../capabilities/keys/index.js'
import { ensureDemoUsers } from '../capabilities/accounts/index.js'
import type { Clock } from '../clock.js'
import { loadConfig } from '../config/load.js'
import type { Config, SettingName } from '../config/schema.js'
import { openCore, type Core, type OpenCoreOptions } from '../core.js'
import { createRequiredGuard, type RequiredOptions } from './auth-context.js'
import { errorHandler } from './error-handler.js'
import { drainOnClose } from './drain.js'
import { noSniff } from './no-sniff.js'
import { createIpRateLimit } from './rate-limit.js'
import type { GatehouseInstance, RouteDeps } from './route-deps.js'
import { seedResourceRoutes } from './routes/seed-resources.js'
import { capabilities } from '../capabilities/index.js'
import type { HttpRoutes } from './mount.js'
import { createSerializerCompiler, createValidatorCompiler } from './validation.js'
import { hostedPages } from '../ui/plugin.js'
import cors from '@fastify/cors'

/** Requests to Gatehouse's routes carry small JSON bodies; anything larger is refused. */
export const BODY_LIMIT_BYTES = 16 * 1024

export interface GatehouseDecorator {
  /**
   * A hook admitting only requests with a valid access token (or API key) that holds the
   * given roles and scopes; sets `request.principal`. Use it as `onRequest`, so requests are
   * refused before their body is even read (it works as `preHandler` too).
   * @example app.get('/reports', { onRequest: app.gatehouse.required({ roles: ['admin'] }) }, handler)
   */
  required(options?: RequiredOptions): onRequestHookHandler
  /**
   * The use cases' context, for routes of your own: pass it to the use case you call,
   * e.g. `authenticate(app.gatehouse.auth, token)` or `login(app.gatehouse.auth, …)`.
   */
  readonly auth: Auth
  readonly config: Config
}

declare module 'fastify' {
  interface FastifyInstance {
    gatehouse: GatehouseDecorator
  }
}

export interface GatehouseOptions {
  /**
   * Settings by name (see docs/configuration.md), winning over the environment.
   * @example { database: './auth.db', accessTtl: 600 }
   */
  settings?: Partial<Record<SettingName, unknown>>
  /** Environment to read `GATEHOUSE_*` settings from. Default: `process.env`. */
  env?: Record<string, string | undefined>
  /** Mount Gatehouse's routes under this path, e.g. `/auth`. Default: none. */
  prefix?: string
  /** Mount the routes (register, login, …). Default true; false gives only the guards. */
  routes?: boolean
  /**
   * Mount the tutorial's example resources `/protected`, `/data` and `/admin`. Default true;
   * set false to define them (or your own) with `app.gatehouse.required()`.
   */
  resources?: boolean
  /** An already opened core; the plugin then neither opens nor closes it. */
  core?: Core
  /** Store to use instead of the one `settings.database` names. */
  store?: OpenCoreOptions['store']
  clock?: Clock
  hasher?: OpenCoreOptions['hasher']
  /**
   * Claims to add to users' access tokens, at login and at every refresh
   * (Flask-JWT-Extended's `additional_claims`). Reserved claims cannot be replaced.
   * @example additionalClaims: (user) => ({ tenant: tenantOf(user.id) })
   */
  additionalClaims?: AdditionalClaims
}

async function gatehousePlugin(app: FastifyInstance, options: GatehouseOptions): Promise<void> {
  const core =
    options.core ??
    (await openCore(
      loadConfig({ env: options.env ?? process.env, overrides: options.settings ?? {} }),
      {
        ...(options.store && { store: options.store }),
        ...(options.clock && { clock: options.clock }),
        ...(options.hasher && { hasher: options.hasher }),
        ...(options.additionalClaims && { additionalClaims: options.additionalClaims }),
      },
    ))
  if (!options.core) {
    drainOnClose(app)
    app.addHook('onClose', () => core.close())
    for (const warning of core.warnings) app.log.warn(warning)
    if (!core.config.issuerConfigured) {
      // Library mode cannot know the app's public address: tokens would name a made-up one.
      app.log.warn(
        `gatehouse: settings.issuer is not set, so tokens say iss=${core.config.issuer}; ` +
          "set it to your app's public URL (resource servers check it)",
      )
    }
  }
  startMaintenance(app, core)
  core.auth.background.onError((error) => app.log.error({ err: error }, 'background work failed'))

  if (core.config.demo) {
    const created = await ensureDemoUsers(core.auth)
    if (created.length > 0)
      app.log.warn({ users: created }, 'demo users created (never in production)')
  }

  const required = (guardOptions?: RequiredOptions) =>
    createRequiredGuard(core.auth, core.telemetry, guardOptions)
  app.decorate('gatehouse', { required, auth: core.auth, config: core.config })
  // The plugin and the guard share this decoration, so an app may register both.
  if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', null)

  if (options.routes === false) return
  const deps: RouteDeps = {
    auth: core.auth,
    required,
    baseUrl: `${core.config.issuer}${options.prefix ?? ''}`,
    limitByIp: createIpRateLimit(
      core.rateLimiter,
      core.config.ipLimitPerMinute,
      core.clock,
      core.telemetry,
    ),
    pages: core.config.ui,
    cookies: {
      secure: core.config.cookieSecure,
      sameSite: core.config.cookieSameSite,
      refreshPath: `${options.prefix ?? ''}/refresh`,
    },
  }
  const mounts = (context: HttpRoutes['context']) =>
    capabilities.flatMap((capability) => capability.http ?? []).filter((m) => m.context === context)
  await app.register(
    async (child: GatehouseInstance) => {
      // The one validator compiler of Gatehouse's routes; the OAuth context inherits it.
      child.setValidatorCompiler(createValidatorCompiler())
      child.setSerializerCompiler(createSerializerCompiler())
      child.setErrorHandler(errorHandler)
      // Only JSON bodies: text/plain (parsed by Fastify by default) gets 415 like the rest.
      child.removeContentTypeParser('text/plain')
      child.addHook('onRoute', (route) => {
        route.bodyLimit ??= BODY_LIMIT_BYTES
      })
      // The standalone server sets it on every answer already; in your app, on ours.
      if (!options.core) child.addHook('onRequest', noSniff)
      // The capabilities' routes, each declared in its capability.ts (src/capabilities/).
      for (const mount of mounts('root')) await (await mount.load())(child, deps)
      if (options.resources !== false) seedResourceRoutes(child, deps)
      // Each in its own context: the admin guard hook, the OAuth body parser and errors.
      for (const mount of mounts('admin')) {
        const routes = await mount.load()
        void child.register(async (admin: GatehouseInstance) => routes(admin, deps))
      }
      // Under /oauth: the token, revocation, introspection and userinfo endpoints, which
      // browser apps (public clients) call from their own origin. No cookie is involved,
      // so any origin may read the answers.
      const oauthMounts = await Promise.all(mounts('oauth').map((mount) => mount.load()))
      void child.register(
        async (oauthApi: GatehouseInstance) => {
          await oauthApi.register(cors, {
            origin: '*',
            methods: ['GET', 'POST'],
            allowedHeaders: ['authorization', 'content-type'],
            maxAge: 600,
          })
          for (const routes of oauthMounts) {
            void oauthApi.register(async (oauth: GatehouseInstance) => routes(oauth, deps))
          }
        },
        { prefix: '/oauth' },
      )
      if (core.config.ui) {
        void child.register((pages: GatehouseInstance) =>
          hostedPages(pages, {
            auth: core.auth,
            prefix: options.prefix ?? '',
            product: core.config.uiName,
            accent: core.config.uiAccent,
            secureCookies: core.config.cookieSecure,
            limitByIp: deps.limitByIp,
            pages: capabilities.flatMap((capability) => capability.pages ?? []),
            hooks: capabilities.flatMap((capability) => capability.pageHooks ?? []),
          }),
        )
      }
    },
    options.prefix ? { prefix: options.prefix } : {},
  )
}

/** How often each instance runs key and revocation upkeep. */
const MAINTENANCE_INTERVAL_MS = 60_000
/**
 * How often each instance re-reads the signing keys (one small query): a key revoked or
 * rotated from the command line, with no Redis to announce it, is honoured within this.
 */
const KEY_POLL_INTERVAL_MS = 5_000
/** How often each instance looks for mail to deliver. */
const MAIL_POLL_INTERVAL_MS = 1_000

function startMaintenance(app: FastifyInstance, core: Core): void {
  const stops: (() => void)[] = []
  const every = (ms: number, what: string, work: () => Promise<void>) => {
    const timer = setInterval(() => {
      work().catch((error: unknown) => app.log.error({ err: error }, `${what} failed`))
    }, ms)
    // Upkeep alone never keeps the process alive.
    timer.unref()
    stops.push(() => clearInterval(timer))
  }
  app.addHook('onReady', (done) => {
    every(MAINTENANCE_INTERVAL_MS, 'maintenance', () => runMaintenance(core.auth))
    every(KEY_POLL_INTERVAL_MS, 'signing-key refresh', () => refreshSigningKeys(core.auth))
    const transport = core.mailTransport
    if (transport) {
      // Every instance delivers; the queue's leases make each message one instance's. A
      // pass still waiting on a slow SMTP server is not joined by another.
      let delivering: Promise<void> | null = null
      /** Mail was queued here during a pass, which may have claimed its batch already. */
      let queuedDuringPass = false
      let closed = false
      const pass = (): Promise<void> =>
        (delivering ??= deliverAllDueMail(core.auth, transport)
          .then(() => undefined)
          .finally(() => {
            delivering = null
            if (queuedDuringPass) {
              queuedDuringPass = false
              wake()
            }
          }))
      // Mail queued here leaves at once; the poll is for other instances' mail and retries.
      const wake = () => {
        if (closed) return
        if (delivering) queuedDuringPass = true
        else pass().catch((error: unknown) => app.log.error({ err: error }, 'mail delivery failed'))
      }
      every(MAIL_POLL_INTERVAL_MS, 'mail delivery', pass)
      stops.push(core.auth.mailQueued.listen(wake), () => {
        closed = true
      })
    }
    done()
  })
  app.addHook('onClose', () => {
    for (const stop of stops) stop()
  })
}

/**
 * Gatehouse as a Fastify plugin: the same routes as the standalone server, inside your app,
 * and `app.gatehouse.required()` to protect your own routes.
 *
 * @example
 * import Fastify from 'fastify'
 * import { gatehouse } from 'gatehouse-auth'
 * const app = Fastify()
 * await app.register(gatehouse, { settings: { database: './auth.db' } })
 * app.get('/reports', { onRequest: app.gatehouse.required({ roles: ['admin'] }) }, (req) => req.principal)
 */
export const gatehouse: FastifyPluginAsync<GatehouseOptions> = fp(gatehousePlugin, {
  fastify: '5.x',
  name: 'gatehouse',
})
