import * as client from 'openid-client'
import { expect } from 'vitest'
import { bearer, buildTestApp, json, loginAs, type TestApp } from './build-test-app.js'
import { freePort } from './browser.js'
import type { SettingName } from '../../src/config/schema.js'

/** A Gatehouse listening on 127.0.0.1, whose issuer is its own address, with demo users. */
export interface Provider {
  t: TestApp
  issuer: string
  /** Registers an app through the admin API; answers the 201 body. */
  registerApp(fields: Partial<AppRegistration>): Promise<RegisteredApp>
  close(): Promise<void>
}

export interface AppRegistration {
  name: string
  scopes: string[]
  redirect_uris: string[]
  post_logout_redirect_uris: string[]
  grant_types: string[]
  token_endpoint_auth_method: 'client_secret_basic' | 'client_secret_post' | 'none'
  skip_consent: boolean
  id_token_signed_response_alg: 'RS256' | 'ES256' | 'EdDSA'
}

export interface RegisteredApp {
  client_id: string
  client_secret?: string
  redirect_uris: string[]
}

export const APP_REDIRECT = 'https://app.example/callback'

export async function startProvider(
  settings: Partial<Record<SettingName, unknown>> = {},
  options: Pick<NonNullable<Parameters<typeof buildTestApp>[1]>, 'onRoute'> = {},
): Promise<Provider> {
  const port = await freePort()
  const issuer = `http://127.0.0.1:${port}`
  // The clock starts now: openid-client checks `iat` and `exp` against the real time.
  const t = await buildTestApp(
    { demo: true, issuer, ...settings },
    { clockStart: Date.now(), ...options },
  )
  await t.app.listen({ host: '127.0.0.1', port })
  const adminToken = (await loginAs(t, 'admin', 'adminpass')).access_token
  return {
    t,
    issuer,
    async registerApp(fields) {
      const res = await t.inject({
        method: 'POST',
        url: '/admin/clients',
        ...json(
          {
            name: 'Team wiki',
            scopes: ['openid', 'profile', 'email', 'offline_access', 'data:read'],
            redirect_uris: [APP_REDIRECT],
            ...fields,
          },
          bearer(adminToken),
        ),
      })
      expect(res.statusCode, res.body).toBe(201)
      return res.json<RegisteredApp>()
    },
    close: () => t.close(),
  }
}

/** openid-client configured by discovery (its default, OIDC mode) for a registered app. */
export async function relyingParty(
  provider: Provider,
  app: RegisteredApp,
  method: 'basic' | 'post' | 'none' = 'basic',
  metadata?: Partial<client.ClientMetadata>,
): Promise<client.Configuration> {
  const auth =
    method === 'none'
      ? client.None()
      : method === 'post'
        ? client.ClientSecretPost(app.client_secret)
        : client.ClientSecretBasic(app.client_secret)
  return client.discovery(new URL(provider.issuer), app.client_id, metadata, auth, {
    execute: [client.allowInsecureRequests],
  })
}

/** A fresh authorization request: its URL and what the callback must be checked against. */
export async function authorizationRequest(
  config: client.Configuration,
  extra: Record<string, string> = {},
  redirectUri = APP_REDIRECT,
) {
  const codeVerifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  })
  return { url, codeVerifier, state, nonce, redirectUri }
}

/** The callback's code exchanged by openid-client, checked against what the request sent. */
export function exchangeCode(
  config: client.Configuration,
  callback: URL,
  request: { codeVerifier: string; state: string; nonce: string },
  checks: client.AuthorizationCodeGrantChecks = {},
) {
  return client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: request.codeVerifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
    ...checks,
  })
}

/** The path and query of a URL on the provider, for `inject`. */
export const pathOf = (url: string | URL): string => {
  const parsed = new URL(url)
  return `${parsed.pathname}${parsed.search}`
}
