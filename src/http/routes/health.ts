import Type from 'typebox'
import { GatehouseError } from '../../errors.js'
import type { Store } from '../../store/store.js'
import { ErrorBody } from '../schemas/common.js'
import type { GatehouseInstance } from './context.js'

const Status = Type.Object({ status: Type.String() })

/** Liveness (the process answers) and readiness (its store answers too). */
export function healthRoutes(app: GatehouseInstance, store: Store): void {
  app.get(
    '/healthz',
    { schema: { summary: 'Liveness', tags: ['operations'], response: { 200: Status } } },
    () => ({ status: 'ok' }),
  )
  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: the store answers',
        tags: ['operations'],
        response: { 200: Status, 503: ErrorBody },
      },
    },
    async () => {
      try {
        await store.ping()
      } catch (error) {
        throw new GatehouseError('service_unavailable', 'Store is not reachable', { cause: error })
      }
      return { status: 'ready' }
    },
  )
}
