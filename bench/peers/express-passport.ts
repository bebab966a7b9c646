// Express + passport-jwt, HS256 with the secret as a KeyObject (its fast configuration).
import express from 'express'
import passport from 'passport'
import { ExtractJwt, Strategy } from 'passport-jwt'
import { announce, AUDIENCE, hs256Secret, ISSUER, port } from './common.js'

passport.use(
  new Strategy(
    {
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt's types predate KeyObject support in jsonwebtoken 9.
      secretOrKey: hs256Secret() as unknown as string,
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
    },
    (payload: unknown, done: (error: null, user: unknown) => void) => done(null, payload),
  ),
)
const app = express()
app.disable('x-powered-by')
app.use(passport.initialize())
const requireJwt = passport.authenticate('jwt', { session: false }) as express.RequestHandler
app.get('/protected', requireJwt, (request, response) => {
  response.json({ logged_in_as: (request.user as { username: string }).username })
})
const server = app.listen(port(), '127.0.0.1', () => announce(server.address()))
