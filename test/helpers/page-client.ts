import { parseSetCookie } from 'cookie'
import type { LightMyRequestResponse } from 'fastify'
import type { TestApp } from './build-test-app.js'

/**
 * A browser without JavaScript over `app.inject`: it keeps cookies (honouring expiry and
 * deletion), posts forms with the CSRF token of the page they came from, and reads pages.
 */
export class PageClient {
  readonly cookies = new Map<string, string>()
  /** The last page's HTML. */
  html = ''

  constructor(
    private readonly t: TestApp,
    private readonly headers: Record<string, string> = {},
  ) {}

  private cookieHeader(): Record<string, string> {
    if (this.cookies.size === 0) return {}
    return { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') }
  }

  private remember(res: LightMyRequestResponse): LightMyRequestResponse {
    const raw = res.headers['set-cookie']
    for (const line of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
      const cookie = parseSetCookie(line)
      const gone = cookie.value === '' || (cookie.expires && cookie.expires.getTime() <= Date.now())
      if (gone) this.cookies.delete(cookie.name)
      else this.cookies.set(cookie.name, cookie.value ?? '')
    }
    if (String(res.headers['content-type'] ?? '').startsWith('text/html')) this.html = res.body
    return res
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.t.inject({ url, headers: { ...this.headers, ...this.cookieHeader() } }),
    )
  }

  /** GETs `url`, then follows redirects (at most 5). */
  async open(url: string): Promise<LightMyRequestResponse> {
    let res = await this.get(url)
    for (let i = 0; i < 5 && res.statusCode >= 300 && res.statusCode < 400; i++) {
      res = await this.get(String(res.headers.location))
    }
    return res
  }

  /** The CSRF token in the last page's forms. */
  csrf(): string {
    const match = /name="csrf" value="([^"]+)"/.exec(this.html)
    if (!match?.[1]) throw new Error('no form with a CSRF token on the last page')
    return match[1]
  }

  async post(
    url: string,
    fields: Record<string, string>,
    options: { csrf?: string | null; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const csrf = options.csrf === undefined ? this.csrf() : options.csrf
    const body = new URLSearchParams({ ...(csrf === null ? {} : { csrf }), ...fields })
    return this.remember(
      await this.t.inject({
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...this.headers,
          ...this.cookieHeader(),
          ...options.headers,
        },
        payload: body.toString(),
      }),
    )
  }

  /** Signs in through the form; returns the redirect answer. */
  async signIn(username: string, password: string): Promise<LightMyRequestResponse> {
    await this.get('/ui/sign-in')
    return this.post('/ui/sign-in', { username, password })
  }
}

/** The text of an HTML fragment, tags removed and whitespace folded (for assertions). */
export const textOf = (html: string): string =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
