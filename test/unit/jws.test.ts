import { generateKeyPairSync, randomUUID, sign as cryptoSign, type KeyObject } from 'node:crypto'
import { jwtVerify, SignJWT, type JWTHeaderParameters } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  checkClaims,
  parseCompactJws,
  signCompactJws,
  verifyParsedJws,
} from '../../src/tokens/jws.js'

/**
 * The synchronous verifier must accept exactly what jose's jwtVerify accepts, with the same
 * options, and return the same claims: every case runs through both.
 */
const NOW = 1_800_000_000
const LEEWAY = 5
const RULES = {
  issuer: 'https://auth.example',
  audience: 'api',
  typ: 'at+jwt',
  leeway: LEEWAY,
  now: NOW,
  required: ['exp', 'iat', 'jti', 'sub'],
}

const ed = generateKeyPairSync('ed25519')
const otherEd = generateKeyPairSync('ed25519')
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const KEYS: Record<string, KeyObject> = {
  ed: ed.publicKey,
  ec: ec.publicKey,
  rsa: rsa.publicKey,
}

function ours(token: string, algorithms: string[]) {
  try {
    const parsed = parseCompactJws(token, algorithms)
    const key = parsed.header.kid === undefined ? undefined : KEYS[parsed.header.kid]
    if (key === undefined) throw new Error('unknown kid')
    const payload = verifyParsedJws(parsed, key)
    checkClaims(parsed.header, payload, RULES)
    return { ok: true as const, payload }
  } catch {
    return { ok: false as const }
  }
}

async function theirs(token: string, algorithms: string[]) {
  try {
    const { payload } = await jwtVerify(
      token,
      (header: JWTHeaderParameters) => {
        const key = header.kid === undefined ? undefined : KEYS[header.kid]
        if (key === undefined) throw new Error('unknown kid')
        return key
      },
      {
        algorithms,
        issuer: RULES.issuer,
        audience: RULES.audience,
        typ: RULES.typ,
        clockTolerance: LEEWAY,
        currentDate: new Date(NOW * 1000),
        requiredClaims: RULES.required,
      },
    )
    return { ok: true as const, payload }
  } catch {
    return { ok: false as const }
  }
}

const claims = (extra: Record<string, unknown> = {}) => ({
  iss: RULES.issuer,
  aud: RULES.audience,
  sub: randomUUID(),
  jti: randomUUID(),
  iat: NOW - 60,
  exp: NOW + 600,
  roles: [],
  scope: 'data:read',
  fresh: false,
  ...extra,
})

function sign(
  payload: Record<string, unknown>,
  header: Record<string, unknown> = {},
  key: KeyObject = ed.privateKey,
) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: 'ed', ...header })
    .sign(key)
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const swapPart = (token: string, index: number, part: string) =>
  token
    .split('.')
    .map((p, i) => (i === index ? part : p))
    .join('.')

async function corpus(): Promise<[string, string, string[]][]> {
  const valid = await sign(claims())
  const [h, p, s] = valid.split('.') as [string, string, string]
  const cases: [string, string, string[]][] = [
    ['valid', valid, ['EdDSA']],
    ['typ application/at+jwt', await sign(claims(), { typ: 'application/at+jwt' }), ['EdDSA']],
    ['typ in capitals', await sign(claims(), { typ: 'AT+JWT' }), ['EdDSA']],
    ['typ JWT', await sign(claims(), { typ: 'JWT' }), ['EdDSA']],
    ['no typ', await sign(claims(), { typ: undefined }), ['EdDSA']],
    ['other key, same kid', await sign(claims(), {}, otherEd.privateKey), ['EdDSA']],
    ['unknown kid', await sign(claims(), { kid: 'nope' }), ['EdDSA']],
    ['no kid', await sign(claims(), { kid: undefined }), ['EdDSA']],
    ['kid is a number', await sign(claims(), { kid: 7 }), ['EdDSA']],
    ['alg not allowed', valid, ['ES256']],
    ['alg none', `${b64({ alg: 'none', typ: 'at+jwt', kid: 'ed' })}.${p}.`, ['EdDSA']],
    [
      'HS256 with the public key as secret',
      await new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: 'ed' })
        .sign(ed.publicKey.export({ format: 'der', type: 'spki' })),
      ['EdDSA', 'HS256'],
    ],
    ['expired', await sign(claims({ exp: NOW - LEEWAY - 1 })), ['EdDSA']],
    ['expired exactly at the leeway', await sign(claims({ exp: NOW - LEEWAY })), ['EdDSA']],
    ['expired within the leeway', await sign(claims({ exp: NOW - LEEWAY + 1 })), ['EdDSA']],
    ['nbf beyond the leeway', await sign(claims({ nbf: NOW + LEEWAY + 1 })), ['EdDSA']],
    ['nbf within the leeway', await sign(claims({ nbf: NOW + LEEWAY })), ['EdDSA']],
    ['wrong iss', await sign(claims({ iss: 'https://evil.example' })), ['EdDSA']],
    ['wrong aud', await sign(claims({ aud: 'other' })), ['EdDSA']],
    ['aud list with ours', await sign(claims({ aud: ['other', 'api'] })), ['EdDSA']],
    ['aud list without ours', await sign(claims({ aud: ['other'] })), ['EdDSA']],
    ['iat a string', await sign(claims({ iat: '1' })), ['EdDSA']],
    ['exp a string', await sign(claims({ exp: String(NOW + 600) })), ['EdDSA']],
    ['nbf a string', await sign(claims({ nbf: '1' })), ['EdDSA']],
    ['no jti', await sign(claims({ jti: undefined })), ['EdDSA']],
    ['no exp', await sign(claims({ exp: undefined })), ['EdDSA']],
    ['crit header', rawSign({ crit: ['x'], x: 1 }), ['EdDSA']],
    ['b64 without crit', await sign(claims(), { b64: true }), ['EdDSA']],
    ['ES256', await signWith('ES256', 'ec', ec.privateKey), ['ES256']],
    ['ES256 with an Ed25519 kid', await signWith('ES256', 'ed', ec.privateKey), ['ES256']],
    ['RS256', await signWith('RS256', 'rsa', rsa.privateKey), ['RS256']],
    ['payload an array', swapPart(valid, 1, b64([1, 2])), ['EdDSA']],
    ['header not JSON', swapPart(valid, 0, Buffer.from('{nope').toString('base64url')), ['EdDSA']],
    ['payload tampered', swapPart(valid, 1, b64({ ...claims(), roles: ['admin'] })), ['EdDSA']],
    ['two segments', `${h}.${p}`, ['EdDSA']],
    ['four segments', `${valid}.x`, ['EdDSA']],
    ['empty signature', `${h}.${p}.`, ['EdDSA']],
    ['padded signature', `${h}.${p}.${s}==`, ['EdDSA']],
    ['invalid base64 in payload', swapPart(valid, 1, `${p.slice(0, -2)}*!`), ['EdDSA']],
    ['empty', '', ['EdDSA']],
  ]
  return cases
}

/** Signed without jose, which refuses to make some of these headers. */
function rawSign(header: Record<string, unknown>) {
  const input = `${b64({ alg: 'EdDSA', typ: 'at+jwt', kid: 'ed', ...header })}.${b64(claims())}`
  return `${input}.${cryptoSign(null, Buffer.from(input), ed.privateKey).toString('base64url')}`
}

function signWith(alg: string, kid: string, key: KeyObject) {
  return new SignJWT(claims()).setProtectedHeader({ alg, typ: 'at+jwt', kid }).sign(key)
}

/**
 * The one deliberate difference: RFC 7515 §2 base64url has no padding; jose tolerates `=`,
 * Gatehouse refuses it (no token it issues has any).
 */
const STRICTER = new Set(['padded signature'])

describe('synchronous JWS verification', () => {
  it('accepts and refuses exactly what jose does, with the same claims', async () => {
    const outcomes: Record<string, boolean> = {}
    for (const [name, token, algorithms] of await corpus()) {
      const mine = ours(token, algorithms)
      const reference = await theirs(token, algorithms)
      if (STRICTER.has(name)) {
        expect([mine.ok, reference.ok], name).toEqual([false, true])
        continue
      }
      expect(mine.ok, name).toBe(reference.ok)
      if (mine.ok && reference.ok) expect(mine.payload, name).toEqual(reference.payload)
      outcomes[name] = mine.ok
    }
    // The corpus has both outcomes where it matters, so agreement is not vacuous.
    expect(outcomes).toMatchObject({
      valid: true,
      'typ in capitals': true,
      'expired within the leeway': true,
      'aud list with ours': true,
      ES256: true,
      RS256: true,
      'alg none': false,
      'other key, same kid': false,
      'expired exactly at the leeway': false,
      'crit header': false,
      'payload tampered': false,
    })
  })

  it('agrees with jose on 600 single-character mutations of a valid token', async () => {
    const valid = await sign(claims())
    const alphabet = 'AQgw_-.x9'
    let accepted = 0
    for (let i = 0; i < 600; i++) {
      const at = (i * 7919) % valid.length
      const replacement = alphabet[i % alphabet.length] ?? 'A'
      const token = valid.slice(0, at) + replacement + valid.slice(at + 1)
      const mine = ours(token, ['EdDSA'])
      const reference = await theirs(token, ['EdDSA'])
      expect(mine.ok, `mutation at ${at} to ${replacement}`).toBe(reference.ok)
      if (mine.ok) accepted++
    }
    // Only mutations that change nothing (same character, or unused trailing bits) pass.
    expect(accepted).toBeLessThan(60)
  })
})

describe('signCompactJws, held to jose', () => {
  const claimSets: Record<string, unknown>[] = [
    { sub: 'u1', iat: NOW, exp: NOW + 900, jti: randomUUID(), scope: 'data:read', roles: [] },
    { sub: 'Zoë ✓', aud: ['api', 'other'], nested: { a: [1, 2, { b: null }] }, n: 1.5 },
    { iss: 'https://auth.example', sub: '', amr: ['pwd', 'otp'], nonce: 'n-0S6_WzA2Mj' },
  ]
  const cases = [
    { alg: 'EdDSA' as const, key: ed.privateKey, publicKey: ed.publicKey },
    { alg: 'RS256' as const, key: rsa.privateKey, publicKey: rsa.publicKey },
    { alg: 'ES256' as const, key: ec.privateKey, publicKey: ec.publicKey },
  ]

  it('makes the token jose makes, byte for byte where the signature is deterministic', async () => {
    for (const { alg, key, publicKey } of cases) {
      for (const claims of claimSets) {
        const header = { alg, typ: 'at+jwt', kid: 'k1' }
        const token = signCompactJws(header, claims, key)
        const theirs = await new SignJWT(claims).setProtectedHeader(header).sign(key)
        // ECDSA signs with a random nonce: equal up to the signature.
        if (alg === 'ES256')
          expect(token.split('.').slice(0, 2)).toEqual(theirs.split('.').slice(0, 2))
        else expect(token).toBe(theirs)
        const verified = await jwtVerify(token, publicKey, { algorithms: [alg] })
        expect(verified.payload).toEqual(claims)
        expect(verified.protectedHeader).toEqual(header)
      }
    }
  })

  it('refuses a key that does not fit the algorithm', () => {
    expect(() => signCompactJws({ alg: 'EdDSA' }, {}, rsa.privateKey)).toThrow(/does not fit/)
    expect(() => signCompactJws({ alg: 'RS256' }, {}, ed.privateKey)).toThrow(/does not fit/)
    expect(() => signCompactJws({ alg: 'ES256' }, {}, ed.privateKey)).toThrow(/does not fit/)
  })
})
