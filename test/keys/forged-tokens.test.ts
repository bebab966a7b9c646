import { createPublicKey } from 'node:crypto'
import {
  base64url,
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type JWTPayload,
} from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, buildTestApp, loginAs, type TestApp } from '../helpers/build-test-app.js'

let t: TestApp
let genuine: string
let claims: JWTPayload
let kid: string

beforeAll(async () => {
  t = await buildTestApp({ demo: true })
  genuine = (await loginAs(t, 'user1', 'password1')).access_token
  claims = decodeJwt(genuine)
  kid = decodeProtectedHeader(genuine).kid!
})
afterAll(() => t.close())

const encode = (value: object) => base64url.encode(JSON.stringify(value))

/** Signs with the server's own current key: valid except for what the test changes. */
async function signWithServerKey(
  payload: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  const key = (await t.keyRing()).signingKey()
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid, ...header })
    .sign(key.privateKey)
}

async function attackerKey() {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true })
  const jwk = await exportJWK(publicKey)
  return { privateKey, jwk, thumbprint: await calculateJwkThumbprint(jwk) }
}

async function expectRejected(token: string, code = 'invalid_token') {
  for (const url of ['/protected', '/data', '/admin']) {
    const res = await t.inject({ url, headers: bearer(token) })
    expect(res.statusCode, `${url}: ${res.body}`).toBe(401)
    expect(res.json()).toMatchObject({ error: code })
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"')
  }
}

describe('forged and invalid access tokens', () => {
  it('accepts the genuine token (control)', async () => {
    expect((await t.inject({ url: '/protected', headers: bearer(genuine) })).statusCode).toBe(200)
  })

  it('rejects alg "none"', async () => {
    const header = encode({ alg: 'none', typ: 'at+jwt', kid })
    await expectRejected(`${header}.${encode({ ...claims, roles: ['admin'] })}.`)
  })

  it('rejects HS256 signed with the public key (algorithm confusion)', async () => {
    const jwks = (await t.inject({ url: '/.well-known/jwks.json' })).json<{ keys: object[] }>()
    const publicPem = createPublicKey({ key: jwks.keys[0] as never, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString()
    for (const secret of [publicPem, JSON.stringify(jwks.keys[0])]) {
      const forged = await new SignJWT({ ...claims, roles: ['admin'] })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
        .sign(new TextEncoder().encode(secret))
      await expectRejected(forged)
    }
  })

  it('rejects a tampered payload', async () => {
    const [header, , signature] = genuine.split('.')
    await expectRejected(
      `${header}.${encode({ ...claims, username: 'admin', roles: ['admin'] })}.${signature}`,
    )
  })

  it('rejects a stripped or truncated signature', async () => {
    const [header, payload, signature] = genuine.split('.')
    await expectRejected(`${header}.${payload}.`)
    await expectRejected(`${header}.${payload}`)
    await expectRejected(`${header}.${payload}.${signature!.slice(0, -4)}`)
  })

  it('rejects an expired token with "Token has expired"', async () => {
    const now = Math.floor(t.clock.now() / 1000)
    const expired = await signWithServerKey({ ...claims, iat: now - 1000, exp: now - 60 })
    await expectRejected(expired, 'token_expired')
    const res = await t.inject({ url: '/protected', headers: bearer(expired) })
    expect(res.json<{ msg: string }>().msg).toBe('Token has expired')
  })

  it('rejects a token that is not yet valid', async () => {
    const now = Math.floor(t.clock.now() / 1000)
    await expectRejected(await signWithServerKey({ ...claims, nbf: now + 600 }))
  })

  it('rejects a wrong issuer or audience', async () => {
    await expectRejected(await signWithServerKey({ ...claims, iss: 'https://evil.example' }))
    await expectRejected(await signWithServerKey({ ...claims, aud: 'someone-else' }))
    const { iss: _iss, ...withoutIssuer } = claims
    await expectRejected(await signWithServerKey(withoutIssuer))
  })

  it('rejects an unknown kid, a missing kid, and kids carrying paths or SQL', async () => {
    for (const badKid of [
      'unknown',
      '../../../../etc/passwd',
      "' OR '1'='1",
      '"; DROP TABLE users; --',
      '',
    ]) {
      await expectRejected(await signWithServerKey(claims, { kid: badKid }))
    }
    const key = (await t.keyRing()).signingKey()
    const noKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' })
      .sign(key.privateKey)
    await expectRejected(noKid)
  })

  it('rejects jku, x5u and embedded jwk headers pointing at an attacker key', async () => {
    const attacker = await attackerKey()
    const payload = { ...claims, roles: ['admin'] }
    const headers = [
      { kid: attacker.thumbprint, jwk: attacker.jwk },
      { kid, jwk: attacker.jwk },
      { kid: attacker.thumbprint, jku: 'http://127.0.0.1:1/jwks.json' },
      { kid, jku: 'http://127.0.0.1:1/jwks.json' },
      { kid: attacker.thumbprint, x5u: 'http://127.0.0.1:1/cert.pem' },
    ]
    for (const header of headers) {
      const forged = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', ...header })
        .sign(attacker.privateKey)
      await expectRejected(forged)
    }
  })

  it('rejects a token signed by another key that claims our kid', async () => {
    const attacker = await attackerKey()
    const forged = await new SignJWT({ ...claims, roles: ['admin'] })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid })
      .sign(attacker.privateKey)
    await expectRejected(forged)
  })

  it('rejects a token of the wrong typ, or none', async () => {
    await expectRejected(await signWithServerKey(claims, { typ: 'JWT' }))
    await expectRejected(await signWithServerKey(claims, { typ: 'refresh+jwt' }))
    await expectRejected(await signWithServerKey(claims, { typ: undefined }))
  })

  it('rejects a token whose claims have the wrong shape', async () => {
    await expectRejected(await signWithServerKey({ ...claims, roles: 'admin' }))
    await expectRejected(await signWithServerKey({ ...claims, scope: ['data:read'] }))
    const { jti: _jti, ...withoutJti } = claims
    await expectRejected(await signWithServerKey(withoutJti))
  })

  it('rejects garbage of every shape, never with a 500', async () => {
    const garbage = [
      'x',
      'a.b.c',
      '...',
      `${encode({ alg: 'EdDSA' })}.!!!.x`,
      `${base64url.encode('not json')}.${base64url.encode('{}')}.x`,
      'A'.repeat(8000),
      `${genuine}.${genuine}`,
    ]
    for (const token of garbage) await expectRejected(token)
    for (const header of [
      'Bearer',
      'Bearer ',
      `Bearer ${genuine} extra`,
      `Bearer\t${genuine}`,
      'Bearer ä',
    ]) {
      const res = await t.inject({ url: '/protected', headers: { authorization: header } })
      expect(res.statusCode, header).toBe(401)
    }
  })
})
