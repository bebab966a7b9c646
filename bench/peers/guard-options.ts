import type { FastifyInstance, FastifyPluginCallback, onRequestHookHandler } from 'fastify'

/** The guard peers verify the tokens of the Gatehouse the runner started (BENCH_GATEHOUSE). */
export function guardOptions() {
  const issuer = process.env['BENCH_GATEHOUSE'] ?? 'http://127.0.0.1:3000'
  return { issuer, audience: 'gatehouse', jwksUri: `${issuer}/.well-known/jwks.json` }
}

interface Claims {
  sub: string
  username?: string
}

/**
 * `gatehouse-auth/guard`, the package as a user installs it, loaded untyped: its Fastify type
 * augmentation (`request.user`) and @fastify/jwt's, in another peer of this one TypeScript
 * program, cannot both hold.
 */
const specifier: string = 'gatehouse-auth/guard'
export const guardPackage = (await import(specifier)) as {
  gatehouseGuard: FastifyPluginCallback<ReturnType<typeof guardOptions>>
  createGuard(options: ReturnType<typeof guardOptions>): {
    authenticate(authorization: string | undefined): Claims | Promise<Claims>
    errorResponse(
      error: unknown,
      authorization?: string,
    ): { status: number; headers: Record<string, string>; body: unknown }
  }
}

/** The hook the guard plugin decorates the app with (`app.auth.required()`). */
export const requiredHook = (app: FastifyInstance): onRequestHookHandler =>
  (app as unknown as { auth: { required(): onRequestHookHandler } }).auth.required()
