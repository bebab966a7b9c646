import type { SignInGate } from '../../../auth/deps.js'
import { secondFactorChallenge } from './second-factor-challenge.js'
import { verifiedFactors } from './second-factors.js'

/**
 * A user with a verified second factor finishes every sign-in with it: the refusal carries
 * the challenge (`mfa_required` with its `mfa_token`), which is a step still to come, not a
 * failure to audit.
 */
export const secondFactorGate: SignInGate = {
  name: 'second factor',
  async check(deps, { user, secondFactorDone }) {
    if (secondFactorDone) return undefined
    const factors = await verifiedFactors(deps, user.id)
    if (factors.length === 0) return undefined
    return { error: await secondFactorChallenge(deps, user, factors) }
  },
}
