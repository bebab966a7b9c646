import { createServer, type Server } from 'node:http'
import Provider from 'oidc-provider'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../helpers/browser.js'
import { APP_REDIRECT, startProvider, type Provider as Gatehouse } from '../helpers/oidc.js'

// Where the standards leave room, Gatehouse answers as node-oidc-provider (certified for
// the Basic OP profile) does. Both get the same client and the same requests; what each
// does with them is reduced to the outcome a relying party sees. The cases where the two
// differ on purpose are listed last, with the reason (docs/decisions/0010).

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

interface Server_ {
  /** The authorization and token endpoints, and the app's registration there. */
  authorization: string
  token: string
  clientId: string
  clientSecret: string
}

let gatehouse: Gatehouse
let reference: Server
let sides: { gatehouse: Server_; reference: Server_ }

beforeAll(async () => {
  gatehouse = await startProvider()
  const app = await gatehouse.registerApp({ scopes: ['openid', 'profile', 'email'] })
  const port = await freePort()
  const issuer = `http://127.0.0.1:${port}`
  const secret = 'a-long-enough-client-secret-for-the-reference-server'
  const op = new Provider(issuer, {
    clients: [
      {
        client_id: 'app',
        client_secret: secret,
        redirect_uris: [APP_REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    // As Gatehouse: PKCE for every client.
    pkce: { required: () => true },
  })
  reference = createServer(op.callback())
  await new Promise<void>((resolve) => reference.listen(port, '127.0.0.1', resolve))
  const discovered = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string
    token_endpoint: string
  }
  sides = {
    gatehouse: {
      authorization: `${gatehouse.issuer}/oauth/authorize`,
      token: `${gatehouse.issuer}/oauth/token`,
      clientId: app.client_id,
      clientSecret: app.client_secret!,
    },
    reference: {
      authorization: discovered.authorization_endpoint,
      token: discovered.token_endpoint,
      clientId: 'app',
      clientSecret: secret,
    },
  }
}, 60_000)
afterAll(async () => {
  await new Promise((resolve) => reference?.close(resolve))
  await gatehouse?.close()
})

/** What a relying party sees of an authorization request by a signed-out browser. */
type Outcome =
  | { kind: 'error page' }
  | { kind: 'sign-in' }
  | { kind: 'back'; error: string | null; state: string | null; inFragment: boolean }

async function authorizeOutcome(
  side: Server_,
  params: Record<string, string | string[]>,
  method: 'GET' | 'POST' = 'GET',
): Promise<Outcome> {
  const query = new URLSearchParams()
  const all: Record<string, string | string[]> = { client_id: side.clientId, ...params }
  for (const [name, value] of Object.entries(all)) {
    for (const one of typeof value === 'string' ? [value] : value) query.append(name, one)
  }
  const res =
    method === 'GET'
      ? await fetch(`${side.authorization}?${query.toString()}`, { redirect: 'manual' })
      : await fetch(side.authorization, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: query.toString(),
        })
  const location = res.headers.get('location')
  if (res.status >= 300 && res.status < 400 && location !== null) {
    const url = new URL(location, side.authorization)
    if (`${url.origin}${url.pathname}` === APP_REDIRECT) {
      // In the query, or (for a client that asked for tokens in the redirect) the fragment.
      const answer = url.hash === '' ? url.searchParams : new URLSearchParams(url.hash.slice(1))
      return {
        kind: 'back',
        error: answer.get('error'),
        state: answer.get('state'),
        inFragment: url.hash !== '',
      }
    }
    return { kind: 'sign-in' }
  }
  expect(res.status, `${method} ${query.toString()}`).toBe(400)
  return { kind: 'error page' }
}

const valid = {
  response_type: 'code',
  redirect_uri: APP_REDIRECT,
  scope: 'openid',
  state: 'st',
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
}

const without = (name: keyof typeof valid) => {
  const copy: Record<string, string> = { ...valid }
  delete copy[name]
  return copy
}

/** Requests whose outcome both servers agree on. */
const SAME: [string, Record<string, string | string[]>, 'GET' | 'POST'][] = [
  ['a valid request (signed out)', valid, 'GET'],
  ['unknown parameters', { ...valid, display: 'popup', unknown_parameter: 'x' }, 'GET'],
  ['scopes nobody knows', { ...valid, scope: 'openid address phone' }, 'GET'],
  ['prompt=none signed out', { ...valid, prompt: 'none' }, 'GET'],
  ['response_type missing', without('response_type'), 'GET'],
  ['response_type=token', { ...valid, response_type: 'token' }, 'GET'],
  ['code_challenge missing', without('code_challenge'), 'GET'],
  ['code_challenge_method plain', { ...valid, code_challenge_method: 'plain' }, 'GET'],
  ['code_challenge_method missing', without('code_challenge_method'), 'GET'],
  ['a request object', { ...valid, request: 'eyJhbGciOiJub25lIn0.e30.' }, 'GET'],
  ['a request_uri', { ...valid, request_uri: 'https://app.example/req' }, 'GET'],
  ['an unregistered redirect URI', { ...valid, redirect_uri: 'https://evil.example/cb' }, 'GET'],
  ['a longer redirect URI', { ...valid, redirect_uri: `${APP_REDIRECT}/more` }, 'GET'],
  ['a redirect URI with a query added', { ...valid, redirect_uri: `${APP_REDIRECT}?a=1` }, 'GET'],
  ['an unknown client', { ...valid, client_id: 'nobody' }, 'GET'],
  ['a repeated parameter', { ...valid, scope: ['openid', 'openid'] }, 'GET'],
]

describe('the authorization endpoint, side by side with node-oidc-provider', () => {
  it.each(SAME)('%s', async (_name, params, method) => {
    const ours = await authorizeOutcome(sides.gatehouse, params, method)
    const theirs = await authorizeOutcome(sides.reference, params, method)
    expect(ours).toEqual(theirs)
  })
})

async function tokenError(side: Server_, params: Record<string, string>, auth = true) {
  const res = await fetch(side.token, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(auth && {
        authorization: `Basic ${Buffer.from(`${side.clientId}:${side.clientSecret}`).toString('base64')}`,
      }),
    },
    body: new URLSearchParams(params).toString(),
  })
  const body = (await res.json()) as { error?: string }
  return { status: res.status, error: body.error }
}

describe('the token endpoint, side by side with node-oidc-provider', () => {
  const cases: [string, Record<string, string>, boolean][] = [
    [
      'an unknown code',
      {
        grant_type: 'authorization_code',
        code: 'gtha_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        redirect_uri: APP_REDIRECT,
        code_verifier: 'v'.repeat(43),
      },
      true,
    ],
    ['an unknown refresh token', { grant_type: 'refresh_token', refresh_token: 'gthr_nope' }, true],
    ['the password grant', { grant_type: 'password', username: 'u', password: 'p' }, true],
    ['an implicit-era grant name', { grant_type: 'implicit' }, true],
  ]
  it.each(cases)('%s', async (_name, params, auth) => {
    const ours = await tokenError(sides.gatehouse, params, auth)
    const theirs = await tokenError(sides.reference, params, auth)
    expect(ours).toEqual(theirs)
  })
})

describe('where Gatehouse differs from node-oidc-provider on purpose', () => {
  it('a hybrid response type is unsupported_response_type (RFC 6749 §4.1.2.1), in the fragment', async () => {
    const hybrid = { ...valid, response_type: 'code id_token', nonce: 'n' }
    const back = { kind: 'back', state: 'st', inFragment: true }
    // Gatehouse offers no hybrid flow at all; the reference, which has one, says the
    // client may not use it.
    expect(await authorizeOutcome(sides.gatehouse, hybrid)).toEqual({
      ...back,
      error: 'unsupported_response_type',
    })
    expect(await authorizeOutcome(sides.reference, hybrid)).toEqual({
      ...back,
      error: 'invalid_request',
    })
  })

  it('takes the authorization request by POST (OIDC Core §3.1.2.1); the reference answers 404', async () => {
    expect(await authorizeOutcome(sides.gatehouse, valid, 'POST')).toEqual({ kind: 'sign-in' })
  })

  it('a confidential client that sends no authentication is invalid_client (RFC 6749 §5.2)', async () => {
    const params = { grant_type: 'authorization_code', code: 'x', redirect_uri: APP_REDIRECT }
    // RFC 6749 §5.2 names "no client authentication included" as invalid_client; the
    // reference answers invalid_request.
    expect(await tokenError(sides.gatehouse, params, false)).toEqual({
      status: 401,
      error: 'invalid_client',
    })
    expect(await tokenError(sides.reference, params, false)).toEqual({
      status: 400,
      error: 'invalid_request',
    })
  })
})
