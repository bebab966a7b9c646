import { describe, expectTypeOf, it } from 'vitest'
import { createGuard, type GatehouseClaims, type Guard } from '../../src/guard/index.js'

interface TenantClaims {
  tenant: string
}

describe('guard types', () => {
  it('types additional claims through the generic and the validator', () => {
    const guard = createGuard<TenantClaims>({
      issuer: 'https://auth.example.com',
      audience: 'gatehouse',
      jwks: { keys: [] },
      validateClaims: (claims): claims is GatehouseClaims & TenantClaims =>
        typeof (claims as { tenant?: unknown }).tenant === 'string',
    })
    expectTypeOf(guard).toEqualTypeOf<Guard<TenantClaims>>()
    expectTypeOf(guard.verify).returns.resolves.toHaveProperty('tenant').toEqualTypeOf<string>()
    expectTypeOf(guard.verify).returns.resolves.toHaveProperty('roles').toEqualTypeOf<string[]>()
    expectTypeOf(guard.verify)
      .returns.resolves.toHaveProperty('sid')
      .toEqualTypeOf<string | undefined>()
  })

  it('offers only the standard claims without a generic', () => {
    const guard = createGuard({ issuer: 'https://a', audience: 'b', jwks: { keys: [] } })
    expectTypeOf(guard.verify).returns.resolves.not.toHaveProperty('tenant')
  })
})
