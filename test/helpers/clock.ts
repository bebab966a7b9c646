import type { Clock } from '../../src/clock.js'

export interface TestClock extends Clock {
  advance(seconds: number): void
}

/** A clock that moves only when told to. */
export function createTestClock(start = Date.UTC(2026, 0, 1)): TestClock {
  let now = start
  return {
    now: () => now,
    advance(seconds) {
      now += seconds * 1000
    },
  }
}
