import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildSeedApp } from '../../examples/seed-app/app.js'

let app: FastifyInstance
beforeAll(async () => {
  app = await buildSeedApp({ env: {}, settings: { database: ':memory:' } })
})
afterAll(() => app.close())

async function login(username: string, password: string) {
  const res = await app.inject({ method: 'POST', url: '/login', payload: { username, password } })
  return res
}

describe('examples/seed-app: the tutorial on the Gatehouse plugin', () => {
  it('runs the tutorial flow: login, protected, data, register, admin', async () => {
    const user = (await login('user1', 'password1')).json<{ access_token: string }>()
    const auth = { authorization: `Bearer ${user.access_token}` }
    expect((await app.inject({ url: '/protected', headers: auth })).json()).toEqual({
      logged_in_as: 'user1',
    })
    expect((await app.inject({ url: '/data', headers: auth })).json()).toEqual({
      data: 'Sensitive data for user1',
    })

    const registered = await app.inject({
      method: 'POST',
      url: '/register',
      payload: { username: 'carol', password: 'a fine long passphrase' },
    })
    expect(registered.statusCode).toBe(201)
    expect(registered.json()).toEqual({ msg: 'User registered successfully' })

    const forbidden = await app.inject({ url: '/admin', headers: auth })
    expect(forbidden.statusCode).toBe(403)
    expect(forbidden.json()).toEqual({ msg: 'Admins only!', error: 'insufficient_scope' })

    const admin = (await login('admin', 'adminpass')).json<{ access_token: string }>()
    const adminRes = await app.inject({
      url: '/admin',
      headers: { authorization: `Bearer ${admin.access_token}` },
    })
    expect(adminRes.json()).toEqual({ logged_in_as: { username: 'admin', role: 'admin' } })
  })

  it("answers its own routes' auth errors in Gatehouse's shape", async () => {
    const res = await app.inject({ url: '/protected' })
    expect(res.statusCode).toBe(401)
    expect(res.json()).toEqual({ msg: 'Missing Authorization Header', error: 'missing_token' })
    expect((await login('user1', 'wrong password')).json()).toEqual({
      msg: 'Bad username or password',
      error: 'invalid_credentials',
    })
  })
})
