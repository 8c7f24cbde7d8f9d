import type { AggregateType, EventsByAggregate } from '../events/envelope.ts'
import type { CommandContext, CommandResult, EventStore, HandleOptions } from '../eventstore/event-store.ts'
import type { Decider } from './decider.ts'

export type { CommandContext, CommandResult }

/**
 * Runs one command against one aggregate: the event store gives the decider the current state
 * and appends what it decides, atomically per aggregate. Every write in the system goes through
 * here; callers never touch the log, leases or snapshots.
 */
export type CommandHandler = <A extends AggregateType, S, C>(
  aggregate: A,
  aggregateId: string,
  decider: Decider<S, C, EventsByAggregate[A]>,
  command: C,
  ctx: CommandContext,
  options?: HandleOptions,
) => Promise<CommandResult<S>>

export const createCommandHandler =
  (store: EventStore): CommandHandler =>
  (aggregate, id, decider, command, ctx, options) =>
    store.handle(aggregate, id, decider, command, ctx, options)
