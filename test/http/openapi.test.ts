import { Validator } from '@seriousme/openapi-schema-validator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'

let t: TestApp
/**
 * Every route the app registered, as `METHOD /path/{param}`, except hidden ones and the
 * hosted pages (HTML for people; their context hides them after this hook has run).
 */
const registered = new Set<string>()
beforeAll(async () => {
  t = await buildTestApp(
    {},
    {
      onRoute(route) {
        if ((route.schema as { hide?: boolean } | undefined)?.hide) return
        if (route.url === '/ui' || route.url.startsWith('/ui/')) return
        const methods = [route.method].flat().filter((m) => m !== 'HEAD')
        const path = route.url.replace(/:(\w+)/g, '{$1}')
        for (const method of methods) registered.add(`${method} ${path}`)
      },
    },
  )
})
afterAll(() => t.close())

interface MediaType {
  example?: unknown
  examples?: unknown
  schema?: { examples?: unknown }
}

interface OpenApi {
  openapi: string
  paths: Record<
    string,
    Record<
      string,
      { security?: unknown; requestBody?: unknown; responses: Record<string, unknown> }
    >
  >
}

describe('GET /openapi.json', () => {
  it('describes every route the server answers', async () => {
    const res = await t.inject({ url: '/openapi.json' })
    expect(res.statusCode).toBe(200)
    const doc = res.json<OpenApi>()
    expect(doc.openapi).toBe('3.1.0')
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    )
    expect(documented.filter((route) => route.includes(' /ui'))).toEqual([])
    for (const route of [
      'POST /register',
      'POST /login',
      'GET /protected',
      'GET /data',
      'GET /admin',
      'GET /.well-known/jwks.json',
      'GET /.well-known/oauth-authorization-server',
      'GET /healthz',
      'GET /readyz',
      'POST /refresh',
      'POST /logout',
      'GET /me',
      'POST /me/password',
      'GET /sessions',
      'DELETE /sessions/{id}',
      'POST /api-keys',
      'GET /api-keys',
      'DELETE /api-keys/{id}',
      'POST /oauth/token',
      'POST /oauth/introspect',
      'POST /oauth/revoke',
      'GET /admin/users',
      'POST /admin/users',
      'GET /admin/users/{id}',
      'PATCH /admin/users/{id}',
      'DELETE /admin/users/{id}',
      'GET /admin/audit',
      'GET /admin/clients',
      'POST /admin/clients',
      'DELETE /admin/clients/{client_id}',
      'GET /admin/keys',
      'POST /admin/keys/rotate',
      'GET /metrics',
    ]) {
      expect(documented).toContain(route)
    }
    // …and nothing the server answers is missing from it.
    expect(registered.size).toBeGreaterThan(30)
    expect([...registered].filter((route) => !documented.includes(route))).toEqual([])
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        // Every request body shows an example of itself.
        const media = Object.values(
          (operation.requestBody as { content?: Record<string, MediaType> } | undefined)?.content ??
            {},
        )
        for (const type of media) {
          const shown = type.example ?? type.examples ?? type.schema?.examples
          expect(shown, `${method} ${path} request example`).toBeDefined()
        }
        const statuses = Object.keys(operation.responses)
        expect(
          statuses.some((s) => s.startsWith('2')),
          `${method} ${path}`,
        ).toBe(true)
        if (operation.security) expect(statuses, `${method} ${path}`).toContain('401')
      }
    }
    expect(doc.paths['/login']?.['post']?.requestBody).toBeDefined()
    const tokenBody = doc.paths['/oauth/token']?.['post']?.requestBody as { content: object }
    expect(Object.keys(tokenBody.content)).toEqual(['application/x-www-form-urlencoded'])
    expect(doc.paths['/protected']?.['get']?.security).toEqual([{ bearerAuth: [] }])
    expect(Object.keys(doc.paths['/admin']?.['get']?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '401', '403']),
    )
  })

  it('is a valid OpenAPI 3.1 document', async () => {
    const doc = (await t.inject({ url: '/openapi.json' })).json<
      Parameters<Validator['validate']>[0]
    >()
    const result = await new Validator().validate(doc)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
  })
})

describe('GET /docs', () => {
  it('serves Swagger UI from the installed package, no CDN', async () => {
    const page = await t.inject({ url: '/docs/' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/text\/html/)
    expect(page.body).not.toMatch(/https?:\/\/(unpkg|cdn|cdnjs)/)
    const bundle = await t.inject({ url: '/docs/static/swagger-ui-bundle.js' })
    expect(bundle.statusCode).toBe(200)
    expect(bundle.body.length).toBeGreaterThan(100_000)
  })

  it('redirects no address of its own in a loop: each redirect ends at a page', async () => {
    for (const start of [
      '/docs/static/index.html',
      '/docs/static/index.html?x=1',
      '/docs/static/index.html?url=/openapi.json&a=b',
      '/docs?x=1',
    ]) {
      let url = start
      const seen = new Set<string>()
      let res = await t.inject({ url })
      while (res.statusCode >= 300 && res.statusCode < 400) {
        expect(seen.has(url), `${start} loops at ${url}`).toBe(false)
        seen.add(url)
        url = String(res.headers.location)
        res = await t.inject({ url })
      }
      expect(res.statusCode, start).toBe(200)
      expect(seen.size, start).toBeLessThanOrEqual(1)
    }
  })
})
