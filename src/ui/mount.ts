import type { FastifyReply, FastifyRequest } from 'fastify'
import type { GatehouseInstance } from '../http/route-deps.js'
import type { PageDeps } from './page.js'

/** Adds a capability's pages to the hosted pages' context. */
export type MountPages = (app: GatehouseInstance, deps: PageDeps) => void

/** Pages a capability adds; `ui/plugin.tsx` mounts them after the kit's own hooks. */
export interface PageRoutes {
  /** `/ui` for people's pages, `/oauth` for the browser endpoints of apps. */
  readonly prefix: '/ui' | '/oauth'
  /** Loaded when mounted, so commands that never serve pages never load them. */
  load(): Promise<MountPages>
}

/** Work on every page request, after the browser session is known (before CSRF checks). */
export interface PageHook {
  load(): Promise<(deps: PageDeps, request: FastifyRequest, reply: FastifyReply) => Promise<void>>
}
