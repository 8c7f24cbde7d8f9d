import { expect } from 'vitest'
import type { Decider } from '../../src/commands/decider.ts'
import type { EventMeta } from '../../src/events/envelope.ts'
import { AppError } from '../../src/errors.ts'

export const meta = (version: number, overrides: Partial<EventMeta> = {}): EventMeta => ({
  eventId: `e${version}`,
  aggregateId: 'agg-1',
  version,
  occurredAt: 1_700_000_000_000 + version,
  commandId: `c${version}`,
  correlationId: 'corr',
  causationId: null,
  actor: 'test',
  ...overrides,
})

/** given(events).when(command).then(events) / .thenThrows(code) — asserts codes, not messages. */
export function specFor<S, C, E>(decider: Decider<S, C, E>) {
  return {
    given(history: readonly (E | [E, Partial<EventMeta>])[]) {
      const state = history.reduce<S>((s, entry, i) => {
        const [event, m] = Array.isArray(entry) ? entry : [entry, {}]
        return decider.evolve(s, event, meta(i + 1, m))
      }, decider.initialState())
      return {
        state,
        when(command: C) {
          return {
            then(expected: readonly E[]) {
              expect(decider.decide(command, state)).toEqual(expected)
            },
            thenThrows(code: string) {
              let caught: unknown
              try {
                decider.decide(command, state)
              } catch (error) {
                caught = error
              }
              expect(caught, `expected rejection ${code}`).toBeInstanceOf(AppError)
              expect((caught as AppError).code).toBe(code)
            },
          }
        },
      }
    },
  }
}
