import type { Capability } from '../auth/capability.js'
import type { HttpRoutes } from '../http/mount.js'
import type { PageHook, PageRoutes } from '../ui/mount.js'

/**
 * A capability as it declares itself in its `capability.ts`: what the use cases' kit reads
 * (`Capability`: dependencies, sign-in gates, jobs, reactions) and what the HTTP and page
 * kits mount.
 */
export interface Manifest extends Capability {
  readonly http?: readonly HttpRoutes[]
  readonly pages?: readonly PageRoutes[]
  /** Runs on every page request (e.g. letting a page's forms end at an app). */
  readonly pageHooks?: readonly PageHook[]
}
