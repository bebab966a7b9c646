/**
 * The tutorial's complete Flask example, in TypeScript on Gatehouse.
 *
 * Flask-JWT-Extended                      Gatehouse
 * JWTManager(app)                         app.register(gatehouse, …)
 * @app.route('/login') + create_access_token   mounted by the plugin (argon2id, real store)
 * @jwt_required()                         onRequest: app.gatehouse.required()
 * get_jwt_identity()                      request.principal
 * role check in the view                  app.gatehouse.required({ roles: ['admin'] })
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { gatehouse, type GatehouseOptions } from 'gatehouse-auth'

export async function buildSeedApp(options: GatehouseOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: process.env['NODE_ENV'] !== 'test' })

  // POST /register and POST /login come from Gatehouse; users live in ./seed-app.db.
  // demo: true creates the tutorial's users (user1/password1, user2/password2, admin/adminpass).
  await app.register(gatehouse, {
    resources: false,
    ...options,
    settings: { database: './seed-app.db', demo: true, ...options.settings },
  })

  app.get('/protected', { onRequest: app.gatehouse.required() }, (request) => ({
    logged_in_as: request.principal?.username,
  }))

  app.get('/data', { onRequest: app.gatehouse.required() }, (request) => ({
    data: `Sensitive data for ${request.principal?.username ?? ''}`,
  }))

  app.get(
    '/admin',
    { onRequest: app.gatehouse.required({ roles: ['admin'], forbiddenMessage: 'Admins only!' }) },
    (request) => ({ logged_in_as: { username: request.principal?.username, role: 'admin' } }),
  )

  return app
}
