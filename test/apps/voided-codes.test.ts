import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer, json, loginAs } from '../helpers/build-test-app.js'
import { PageClient } from '../helpers/page-client.js'
import {
  authorizationRequest,
  exchangeCode,
  relyingParty,
  startProvider,
  type Provider,
} from '../helpers/oidc.js'
import { authorizeInBrowser } from './helpers.js'

// What ends a person's access ends everything derived from it: an authorization code
// minted a moment before withdrawing consent, changing the password, being disabled or
// signing out everywhere opens no app session afterwards (DESIGN: Security, third round).

let provider: Provider
beforeEach(async () => {
  provider = await startProvider()
})
afterEach(() => provider.close())

/** A code for user1, issued and not yet exchanged, with what its exchange needs. */
async function outstandingCode() {
  const app = await provider.registerApp({})
  const config = await relyingParty(provider, app)
  const request = await authorizationRequest(config, {
    scope: 'openid offline_access data:read',
    prompt: 'consent',
  })
  const callback = await authorizeInBrowser(new PageClient(provider.t), request.url)
  expect(callback.searchParams.get('code')).toBeTruthy()
  return { app, redeem: () => exchangeCode(config, callback, request) }
}

const inject = (method: 'POST' | 'DELETE' | 'PATCH', url: string, token: string, body?: unknown) =>
  provider.t.inject({ method, url, ...json(body ?? {}, bearer(token)) })

async function userId(token: string): Promise<string> {
  return (await provider.t.inject({ url: '/me', headers: bearer(token) })).json<{ id: string }>().id
}

describe('an outstanding authorization code dies with the access it came from', () => {
  it('a code redeemed with nothing in between works (the control case)', async () => {
    const { redeem } = await outstandingCode()
    const tokens = await redeem()
    expect(tokens.refresh_token).toBeTruthy()
  })

  const actions: [string, (app: { client_id: string }) => Promise<void>][] = [
    [
      'withdrawing consent',
      async (app) => {
        const own = (await loginAs(provider.t, 'user1', 'password1')).access_token
        const res = await inject('DELETE', `/me/grants/${app.client_id}`, own)
        expect(res.statusCode).toBe(204)
      },
    ],
    [
      'a password change',
      async () => {
        const own = (await loginAs(provider.t, 'user1', 'password1')).access_token
        const res = await inject('POST', '/me/password', own, {
          current_password: 'password1',
          new_password: 'a brand new passphrase',
        })
        expect(res.statusCode).toBe(200)
      },
    ],
    [
      'being disabled',
      async () => {
        const own = (await loginAs(provider.t, 'user1', 'password1')).access_token
        const admin = (await loginAs(provider.t, 'admin', 'adminpass')).access_token
        const res = await inject('PATCH', `/admin/users/${await userId(own)}`, admin, {
          disabled: true,
        })
        expect(res.statusCode).toBe(200)
      },
    ],
    [
      'signing out everywhere',
      async () => {
        const own = (await loginAs(provider.t, 'user1', 'password1')).access_token
        const res = await inject('POST', '/logout', own, { scope: 'global' })
        expect(res.statusCode).toBe(200)
      },
    ],
  ]
  for (const [what, act] of actions) {
    it(`after ${what}, the code is invalid_grant and opens no session`, async () => {
      const { app, redeem } = await outstandingCode()
      await act(app)
      await expect(redeem()).rejects.toMatchObject({ error: 'invalid_grant' })
      // No app session was opened behind the refusal.
      const admin = (await loginAs(provider.t, 'admin', 'adminpass')).access_token
      const audit = await provider.t.inject({
        url: '/admin/audit?type=app_signed_in',
        headers: bearer(admin),
      })
      const opened = audit
        .json<{ items: { details: Record<string, unknown> }[] }>()
        .items.filter((event) => event.details['client_id'] === app.client_id)
      expect(opened).toEqual([])
    })
  }
})
