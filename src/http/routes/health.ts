import Type from 'typebox'
import { ErrorBody } from '../schemas/common.js'
import type { GatehouseInstance } from '../route-deps.js'

const Status = Type.Object({ status: Type.String() })

/** Liveness (the process answers) and readiness (its store and Redis answer too). */
export function healthRoutes(app: GatehouseInstance, ready: () => Promise<void>): void {
  app.get(
    '/healthz',
    { schema: { summary: 'Liveness', tags: ['operations'], response: { 200: Status } } },
    () => ({ status: 'ok' }),
  )
  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: the store (and Redis, when configured) answer',
        tags: ['operations'],
        response: { 200: Status, 503: ErrorBody },
      },
    },
    async () => {
      await ready()
      return { status: 'ready' }
    },
  )
}
