import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  bearer,
  buildTestApp,
  json,
  loginAs,
  register,
  type TestApp,
} from '../helpers/build-test-app.js'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({ demo: true })
})
afterAll(() => t.close())

const jsonHeaders = { 'content-type': 'application/json' }

interface Case {
  name: string
  payload: string
  status: number
  error: string
  msg?: RegExp
}

const raw = (payload: string) => payload
const body = (value: unknown) => JSON.stringify(value)
const ok = { password: 'a perfectly fine passphrase' }

const cases: Case[] = [
  {
    name: 'malformed JSON',
    payload: raw('{"username": "a"'),
    status: 400,
    error: 'invalid_request',
    msg: /not valid JSON/,
  },
  { name: 'empty body', payload: raw(''), status: 400, error: 'invalid_request' },
  {
    name: 'a JSON array',
    payload: body([{ username: 'alice', ...ok }]),
    status: 400,
    error: 'invalid_request',
    msg: /JSON object/,
  },
  { name: 'JSON null', payload: raw('null'), status: 400, error: 'invalid_request' },
  { name: 'a JSON string', payload: body('alice'), status: 400, error: 'invalid_request' },
  {
    name: 'null username',
    payload: body({ username: null, ...ok }),
    status: 400,
    error: 'invalid_request',
    msg: /'username' must be of type string/,
  },
  {
    name: 'number username',
    payload: body({ username: 12345, ...ok }),
    status: 400,
    error: 'invalid_request',
    msg: /'username'/,
  },
  {
    name: 'array password',
    payload: body({ username: 'alice', password: ['a', 'b'] }),
    status: 400,
    error: 'invalid_request',
    msg: /'password'/,
  },
  {
    name: 'object username',
    payload: body({ username: { $ne: null }, ...ok }),
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'missing password',
    payload: body({ username: 'alice' }),
    status: 400,
    error: 'invalid_request',
    msg: /Missing field 'password'/,
  },
  {
    name: 'role on register',
    payload: body({ username: 'mallory', ...ok, role: 'admin' }),
    status: 400,
    error: 'invalid_request',
    msg: /Unknown field 'role'/,
  },
  {
    name: 'roles on register',
    payload: body({ username: 'mallory', ...ok, roles: ['admin'] }),
    status: 400,
    error: 'invalid_request',
    msg: /Unknown field 'roles'/,
  },
  {
    name: 'id on register',
    payload: body({ username: 'mallory', ...ok, id: 'x' }),
    status: 400,
    error: 'invalid_request',
  },
  {
    name: '__proto__ pollution',
    payload: raw(
      '{"username":"mallory","password":"a perfectly fine passphrase","__proto__":{"roles":["admin"]}}',
    ),
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'constructor pollution',
    payload: raw(
      '{"username":"mallory","password":"a perfectly fine passphrase","constructor":{"prototype":{"roles":["admin"]}}}',
    ),
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'huge username',
    payload: body({ username: 'a'.repeat(10_000), ...ok }),
    status: 400,
    error: 'invalid_username',
    msg: /3 to 64/,
  },
  {
    name: 'short username',
    payload: body({ username: 'ab', ...ok }),
    status: 400,
    error: 'invalid_username',
    msg: /3 to 64/,
  },
  {
    name: 'NUL in username',
    payload: body({ username: 'ali\u0000ce', ...ok }),
    status: 400,
    error: 'invalid_username',
    msg: /control/,
  },
  {
    name: 'NUL in password',
    payload: body({ username: 'alice', password: 'abc\u0000defghij' }),
    status: 400,
    error: 'invalid_password',
    msg: /NUL/,
  },
  {
    name: 'space in username',
    payload: body({ username: 'ali ce', ...ok }),
    status: 400,
    error: 'invalid_username',
    msg: /spaces/,
  },
  {
    name: 'leading space',
    payload: body({ username: ' alice', ...ok }),
    status: 400,
    error: 'invalid_username',
    msg: /spaces/,
  },
  {
    name: 'zero-width joiner',
    payload: body({ username: 'ali\u200dce', ...ok }),
    status: 400,
    error: 'invalid_username',
    msg: /invisible/,
  },
  // Default_Ignorable_Code_Point (Unicode): marks that render as nothing, so several
  // accounts would display exactly as `admin`.
  ...(
    [
      ['combining grapheme joiner', 'adm\u034fin'],
      ['variation selector 16', 'admin\ufe0f'],
      ['variation selector 1', 'ad\ufe00min'],
      ['variation selector supplement', 'admin\u{e0100}'],
      ['Khmer inherent vowel', 'admi\u17b4n'],
      ['Hangul filler', 'admin\u3164'],
      ['unassigned code point', 'admin\u{2fffd}'],
    ] as const
  ).map(([name, username]) => ({
    name,
    payload: body({ username, ...ok }),
    status: 400,
    error: 'invalid_username',
    msg: /invisible/,
  })),
  // NIST SP 800-63B §5.1.1.2: repetitive or sequential characters, refused like a
  // breached password (the same code and message).
  ...[
    'aaaaaaaaaaaa',
    '%%%%%%%%%%',
    'abcdefghijklm',
    'ZYXWVUTSRQPO',
    '9876543210',
    '4567890123',
    'mnopqrstuvwx',
  ].map((password) => ({
    name: `the password ${password}`,
    payload: body({ username: 'mallory', password }),
    status: 400,
    error: 'weak_password',
    msg: /too common/,
  })),
  {
    name: 'right-to-left override',
    payload: body({ username: 'ali\u202ece', ...ok }),
    status: 400,
    error: 'invalid_username',
  },
  {
    name: 'SQL in username',
    payload: body({ username: "admin'--", ...ok }),
    status: 400,
    error: 'invalid_username',
    msg: /letters, digits/,
  },
  {
    name: 'SQL union',
    payload: body({ username: "x' UNION SELECT password_hash FROM users--", ...ok }),
    status: 400,
    error: 'invalid_username',
  },
  {
    name: 'HTML in username',
    payload: body({ username: '<script>', ...ok }),
    status: 400,
    error: 'invalid_username',
  },
  {
    name: 'Cyrillic lookalike mixed with Latin',
    payload: body({ username: '\u0430dmin', ...ok }),
    status: 400,
    error: 'invalid_username',
    msg: /scripts/,
  },
  {
    name: 'fullwidth admin (collides with admin)',
    payload: body({ username: 'ａｄｍｉｎ', ...ok }),
    status: 400,
    error: 'username_taken',
  },
  {
    name: 'fullwidth first letter',
    payload: body({ username: 'ａdmin', ...ok }),
    status: 400,
    error: 'username_taken',
  },
  {
    name: 'upper-case ADMIN',
    payload: body({ username: 'ADMIN', ...ok }),
    status: 400,
    error: 'username_taken',
  },
  {
    name: 'huge password',
    payload: body({ username: 'alice', password: 'p'.repeat(15_000) }),
    status: 400,
    error: 'invalid_password',
    msg: /at most 256/,
  },
]

describe('POST /register with bad input', () => {
  for (const c of cases) {
    it(`refuses ${c.name} with ${c.status} ${c.error}`, async () => {
      const res = await t.inject({
        method: 'POST',
        url: '/register',
        headers: jsonHeaders,
        payload: c.payload,
      })
      expect(res.statusCode, res.body).toBe(c.status)
      const parsed = res.json<{ msg: string; error: string }>()
      expect(parsed.error).toBe(c.error)
      expect(typeof parsed.msg).toBe('string')
      if (c.msg) expect(parsed.msg).toMatch(c.msg)
      expect(res.body).not.toMatch(/at .*\.(js|ts):\d+/) // no stack traces
    })
  }

  it('left no user behind for any refused input', async () => {
    for (const name of ['mallory', 'alice']) {
      const res = await t.inject({
        method: 'POST',
        url: '/login',
        ...json({ username: name, password: ok.password }),
      })
      expect(res.statusCode).toBe(401)
    }
  })

  it('never grants a role from the register body', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/register',
      ...json({ username: 'mallory', ...ok, role: 'admin' }),
    })
    expect(res.statusCode).toBe(400)
    expect((await register(t, 'mallory', ok.password)).statusCode).toBe(201)
    const { access_token } = await loginAs(t, 'mallory', ok.password)
    expect(decodeJwt(access_token)['roles']).toEqual([])
    expect((await t.inject({ url: '/admin', headers: bearer(access_token) })).statusCode).toBe(403)
  })

  it('accepts letters of other scripts, and Japanese mixing kana with kanji', async () => {
    for (const name of ['Ωμέγα', 'Иван_петров', 'やまだ太郎', 'josé.garcía@example']) {
      const res = await register(t, name, ok.password)
      expect(res.statusCode, `${name}: ${res.body}`).toBe(201)
    }
  })
})

describe('transport limits', () => {
  it('refuses a body over 16 KiB with 413', async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/register',
      ...json({ username: 'alice', password: 'x'.repeat(17 * 1024) }),
    })
    expect(res.statusCode).toBe(413)
    expect(res.json()).toMatchObject({ error: 'payload_too_large' })
  })

  it('refuses non-JSON content types with 415', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
    ]) {
      const res = await t.inject({
        method: 'POST',
        url: '/login',
        headers: { 'content-type': type },
        payload: 'username=user1&password=password1',
      })
      expect(res.statusCode, type).toBe(415)
      expect(res.json()).toMatchObject({ error: 'unsupported_media_type' })
    }
  })

  it('answers unknown routes and methods with a JSON 404', async () => {
    for (const [method, url] of [
      ['GET', '/nope'],
      ['DELETE', '/login'],
      ['GET', '/register'],
      ['POST', '/protected'],
    ] as const) {
      const res = await t.inject({ method, url })
      expect(res.statusCode, `${method} ${url}`).toBe(404)
      expect(res.json()).toMatchObject({ error: 'not_found' })
    }
  })
})

describe('concurrent registrations', () => {
  it('20 concurrent registrations of one name give exactly one 201, the rest 400', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        register(t, i % 2 === 0 ? 'racer' : 'RACER', `race passphrase number ${i}`),
      ),
    )
    const statuses = results.map((r) => r.statusCode)
    expect(statuses.filter((s) => s === 201)).toHaveLength(1)
    expect(statuses.filter((s) => s === 400)).toHaveLength(19)
    for (const res of results.filter((r) => r.statusCode === 400)) {
      expect(res.json()).toEqual({ msg: 'Username already exists', error: 'username_taken' })
    }
    const winner = results.findIndex((r) => r.statusCode === 201)
    expect(
      (await loginAs(t, 'racer', `race passphrase number ${winner}`)).access_token,
    ).toBeTruthy()
  })
})
