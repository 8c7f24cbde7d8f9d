import type { EventMeta } from '../events/envelope.ts'

/**
 * A pure decider (after emmett): no IO; time and ids arrive inside commands.
 * `decide` returns [] for an idempotent no-op and throws DomainError to reject.
 */
export type Decider<S, C, E> = Readonly<{
  initialState: () => S
  /** `meta` tells who appended the event (commandId) and when, for idempotency checks. */
  evolve: (state: S, event: E, meta: EventMeta) => S
  decide: (command: C, state: S) => readonly E[]
}>

// biome-ignore lint/suspicious/noExplicitAny: deciders of every aggregate type, erased to a common shape
export type AnyDecider = Decider<any, any, any>

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`)
}

/** Folds events into state; the snapshot projection and tests use it. */
export const fold = <S, C, E>(
  decider: Decider<S, C, E>,
  events: readonly (E & { meta: EventMeta })[],
  state: S = decider.initialState(),
): S => events.reduce((s, e) => decider.evolve(s, e, e.meta), state)
