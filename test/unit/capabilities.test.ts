import { describe, expect, it } from 'vitest'
import { checkCapabilities, reactionsOf, type Capability } from '../../src/auth/capability.js'
import { capabilities } from '../../src/capabilities/index.js'

const named = (name: string, dependsOn: string[] = []): Capability => ({ name, dependsOn })

describe('the capability list', () => {
  it('refuses a capability listed twice or before one it depends on', () => {
    expect(() => checkCapabilities([named('a'), named('a')])).toThrow(/a is listed twice/)
    expect(() => checkCapabilities([named('b', ['a']), named('a')])).toThrow(
      /b needs a earlier in the list/,
    )
    expect(() => checkCapabilities([named('a'), named('b', ['a'])])).not.toThrow()
  })

  it('holds the eight capabilities in an order that satisfies every dependency', () => {
    expect(capabilities.map((c) => c.name).sort()).toEqual([
      'accounts',
      'admin',
      'apps',
      'email',
      'keys',
      'machine-access',
      'second-factors',
      'sessions',
    ])
    expect(() => checkCapabilities(capabilities)).not.toThrow()
  })

  it('runs the verified-address gate before the second-factor gate', () => {
    const gates = capabilities.flatMap((c) => c.signInGates ?? []).map((g) => g.name)
    expect(gates).toEqual(['verified address', 'second factor'])
  })

  it('merges reactions by event type in list order', async () => {
    const heard: string[] = []
    const on = reactionsOf([
      { ...named('a'), on: { user_created: [() => Promise.resolve(void heard.push('a'))] } },
      { ...named('b'), on: { user_created: [() => Promise.resolve(void heard.push('b'))] } },
    ])
    for (const react of on.user_created ?? []) {
      await react({} as never, {
        type: 'user_created',
        userId: null,
        context: { ip: null, userAgent: null },
        details: {},
      })
    }
    expect(heard).toEqual(['a', 'b'])
    expect(on.password_changed).toBeUndefined()
  })
})
