import { decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { openCore } from '../../src/core.js'
import { createSqliteStore } from '../../src/store/kysely/sqlite.js'
import { bearer, buildTestApp, loginAs } from '../helpers/build-test-app.js'

describe('signing algorithms', () => {
  for (const [alg, kty] of [
    ['ES256', 'EC'],
    ['RS256', 'RSA'],
  ] as const) {
    it(`${alg}: signs, publishes and verifies`, async () => {
      const t = await buildTestApp({ demo: true, signingAlg: alg })
      try {
        const { access_token } = await loginAs(t, 'user1', 'password1')
        expect(decodeProtectedHeader(access_token).alg).toBe(alg)
        const { keys } = (await t.inject({ url: '/.well-known/jwks.json' })).json<{
          keys: { kty: string; alg: string }[]
        }>()
        expect(keys.every((k) => k.kty === kty && k.alg === alg)).toBe(true)
        expect(
          (await t.inject({ url: '/protected', headers: bearer(access_token) })).statusCode,
        ).toBe(200)
      } finally {
        await t.close()
      }
    })
  }

  it('refuses to start when the configured algorithm differs from the stored current key', async () => {
    const store = createSqliteStore(':memory:')
    const settings = { database: ':memory:', secret: 'a shared secret for both starts 0123456789' }
    const first = await openCore(loadConfig({ env: {}, overrides: settings }), { store })
    await first.close()
    await expect(
      openCore(loadConfig({ env: {}, overrides: { ...settings, signingAlg: 'ES256' } }), { store }),
    ).rejects.toThrow(
      /GATEHOUSE_SIGNING_ALG is ES256 but the current signing key of this database is EdDSA/,
    )
    await store.close()
  })
})
