import type { GatehouseInstance, RouteDeps } from './route-deps.js'

/** Adds a capability's routes to an app context. */
export type MountRoutes = (app: GatehouseInstance, deps: RouteDeps) => void | Promise<void>

/** Routes a capability adds to the JSON API; `http/plugin.ts` mounts them. */
export interface HttpRoutes {
  /**
   * `root`: Gatehouse's own context (its validator, error answers, body limit). `admin`
   * and `oauth` (under `/oauth`, with CORS for browser apps): a context of their own
   * within those, so their hooks, parsers and error handlers stay theirs.
   */
  readonly context: 'root' | 'admin' | 'oauth'
  /** Loaded when mounted, so commands that never serve HTTP never load routes. */
  load(): Promise<MountRoutes>
}
