import argon2 from 'argon2'

export interface PasswordHashingParameters {
  /** KiB of memory. */
  memoryCost: number
  timeCost: number
  parallelism: number
}

/**
 * OWASP Password Storage Cheat Sheet, argon2id: m=19 MiB, t=2, p=1 is the baseline; we use
 * it as the floor. Stored hashes carry their parameters, so raising these makes old hashes
 * be rehashed on the next successful login (`needsRehash`).
 */
export const OWASP_ARGON2ID: PasswordHashingParameters = {
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
}

export interface PasswordHasher {
  /** Hashes on libuv's thread pool, never on the event loop. */
  hash(password: string): Promise<string>
  verify(hash: string, password: string): Promise<boolean>
  /** Spends the same work as `verify` against a throw-away hash, for unknown users. */
  verifyDummy(password: string): Promise<void>
  needsRehash(hash: string): boolean
}

export function createPasswordHasher(
  parameters: PasswordHashingParameters = OWASP_ARGON2ID,
): PasswordHasher {
  const options = { type: argon2.argon2id as 2, ...parameters }
  let dummyHash: Promise<string> | undefined

  async function verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password)
    } catch {
      // A corrupt or foreign hash must not let anyone in, nor crash the request.
      return false
    }
  }

  return {
    hash: (password) => argon2.hash(password, options),
    verify,
    async verifyDummy(password) {
      dummyHash ??= argon2.hash('gatehouse dummy password', options)
      await verify(await dummyHash, password)
    },
    needsRehash: (hash) => {
      try {
        return argon2.needsRehash(hash, options)
      } catch {
        return true
      }
    },
  }
}
