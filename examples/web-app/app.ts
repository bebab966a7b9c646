/**
 * A server-side web app that signs its users in through Gatehouse (OpenID Connect, the
 * authorization code flow with PKCE, openid-client as the relying party) and calls an API
 * protected by `gatehouse-auth/guard` with the access token it got.
 */
import { randomBytes } from 'node:crypto'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import * as client from 'openid-client'

export interface WebAppOptions {
  /** Gatehouse's issuer, e.g. http://127.0.0.1:8080. */
  issuer: string
  clientId: string
  clientSecret: string
  /** Where this app is reachable, e.g. http://127.0.0.1:3001. */
  appUrl: string
  /** The API to call with the user's access token (examples/resource-server). */
  apiUrl: string
  logger?: boolean
}

/** What the app remembers of a browser: the sign-in in progress, then the signed-in user. */
interface BrowserState {
  pending?: { verifier: string; state: string; nonce: string }
  user?: { name: string; sub: string; accessToken: string; idToken: string }
}

const COOKIE = 'webapp_session'

export async function buildWebApp(options: WebAppOptions): Promise<FastifyInstance> {
  // Plain http is for a Gatehouse on this machine during development only.
  const local = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(options.issuer)
  const config = await client.discovery(
    new URL(options.issuer),
    options.clientId,
    undefined,
    client.ClientSecretBasic(options.clientSecret),
    local ? { execute: [client.allowInsecureRequests] } : {},
  )
  const callback = `${options.appUrl}/callback`
  // An example keeps its sessions in memory; a real app uses its session store.
  const browsers = new Map<string, BrowserState>()

  // The callback's address holds the code: log paths, never queries.
  const app = Fastify({
    logger:
      options.logger === true
        ? {
            serializers: {
              req: (req: FastifyRequest) => ({ method: req.method, path: req.url.split('?')[0] }),
            },
          }
        : false,
  })

  function browserOf(request: FastifyRequest, reply: FastifyReply): BrowserState {
    const id = /(?:^|;\s*)webapp_session=([A-Za-z0-9_-]{32})/.exec(
      request.headers.cookie ?? '',
    )?.[1]
    const known = id === undefined ? undefined : browsers.get(id)
    if (id !== undefined && known !== undefined) return known
    const fresh = randomBytes(24).toString('base64url')
    const state: BrowserState = {}
    browsers.set(fresh, state)
    void reply.header('set-cookie', `${COOKIE}=${fresh}; Path=/; HttpOnly; SameSite=Lax`)
    return state
  }

  app.get('/', async (request, reply) => {
    const { user } = browserOf(request, reply)
    void reply.type('text/html; charset=utf-8')
    if (!user) {
      return page(
        'Example app',
        '<p>You are not signed in.</p><p><a href="/login">Sign in with Gatehouse</a></p>',
      )
    }
    // The API verifies the access token itself (gatehouse-auth/guard, offline).
    const api = await fetch(`${options.apiUrl}/reports`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
    })
    const reports = api.ok ? ((await api.json()) as { reports: string[] }).reports : []
    return page(
      'Example app',
      `<p>Hello, <strong data-user>${escape(user.name)}</strong>.</p>` +
        `<p>The API answered ${api.status}: <span data-reports>${escape(reports.join(', '))}</span></p>` +
        '<p><a href="/logout">Sign out</a></p>',
    )
  })

  app.get('/login', async (request, reply) => {
    const browser = browserOf(request, reply)
    const verifier = client.randomPKCECodeVerifier()
    const pending = { verifier, state: client.randomState(), nonce: client.randomNonce() }
    browser.pending = pending
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: callback,
      scope: 'openid profile email data:read',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    })
    return reply.redirect(url.href)
  })

  app.get('/callback', async (request, reply) => {
    const browser = browserOf(request, reply)
    const pending = browser.pending
    if (!pending) return reply.redirect('/')
    delete browser.pending
    const current = new URL(request.url, options.appUrl)
    try {
      const tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      })
      const claims = tokens.claims()
      if (!claims || !tokens.id_token) throw new Error('no ID token')
      browser.user = {
        name:
          typeof claims['preferred_username'] === 'string'
            ? claims['preferred_username']
            : claims.sub,
        sub: claims.sub,
        accessToken: tokens.access_token,
        idToken: tokens.id_token,
      }
      return await reply.redirect('/')
    } catch (error) {
      // A refusal (access_denied) or a failed check: say so, log no URL (it holds the code).
      request.log.warn({ error: (error as Error).message }, 'sign-in failed')
      return reply
        .code(400)
        .type('text/html; charset=utf-8')
        .send(
          page(
            'Sign-in failed',
            `<p>${escape((error as Error).message)}</p><p><a href="/">Back</a></p>`,
          ),
        )
    }
  })

  app.get('/logout', async (request, reply) => {
    const browser = browserOf(request, reply)
    const user = browser.user
    delete browser.user
    if (!user) return reply.redirect('/')
    // RP-initiated logout: Gatehouse ends its session too, then sends the browser back.
    const url = client.buildEndSessionUrl(config, {
      id_token_hint: user.idToken,
      post_logout_redirect_uri: `${options.appUrl}/`,
    })
    return reply.redirect(url.href)
  })

  return app
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escape(title)}</title><h1>${escape(title)}</h1>${body}</html>`
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
