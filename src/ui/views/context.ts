import type { Messages } from '../messages.js'

/** What every page knows besides its own data. */
export interface PageContext {
  t: Messages
  product: string
  /** The pages' root path, e.g. `/ui` or `/auth/ui` under a plugin prefix. */
  root: string
  assets: { stylesheet: string; script: string; webauthn: string }
  /** This browser's form token (hidden field `csrf` in every form). */
  csrf: string
  user: { username: string; admin: boolean } | null
  section: 'sign-in' | 'sign-up' | 'account' | 'admin' | 'none'
}
