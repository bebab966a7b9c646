import { GatehouseError } from '../errors/index.js'

/**
 * Who performs an administrative action: an admin's verified token, or `null` for the
 * operator at the command line (who holds the database and its secret already).
 */
export type Actor = { sub: string; fresh: boolean } | null

/**
 * Creating users or clients, changing roles and rotating or revoking keys create
 * credentials or grant power: a stolen refresh token (weeks of life) must not be enough,
 * so they need a token from a password login moments ago, like API keys do.
 */
export function assertFreshActor(actor: Actor): void {
  if (actor !== null && !actor.fresh) throw new GatehouseError('fresh_token_required')
}

export const actorId = (actor: Actor): string | null => actor?.sub ?? null
