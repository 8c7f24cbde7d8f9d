import type { Decider } from '../commands/decider.ts'
import type { AggregateType, DomainEvent, EventsByAggregate, StoredEvent } from '../events/envelope.ts'
import type { Subscription, SubscriptionOptions } from './subscription.ts'

/** Who asked, and why: carried into every event's metadata. */
export type CommandContext = Readonly<{ commandId: string; correlationId: string; causationId: string | null; actor: string }>

/** Where an event landed. */
export type Delivered = Readonly<{ topic: string; partition: number; offset: string }>

export type CommandResult<S = unknown> = Readonly<{
  aggregateId: string
  /** the aggregate's state after the command: a worker reads what it runs from here, not from a lagging read model */
  state: S
  /** the aggregate's version after the command (unchanged for a no-op) */
  version: number
  events: readonly Readonly<{ type: string; version: number; eventId: string }>[]
  positions: readonly Delivered[]
}>

export type HandleOptions = Readonly<{
  /** the id was minted for this very command: nobody else can know it, so no write slot is needed */
  expectNew?: boolean
}>

/**
 * The one way into the log. Implementations keep aggregates single-writer (no two events of one
 * aggregate share a version), group-commit concurrent writers, and cache state; callers only
 * decide. Deciders are pure: `handle` gives them the current state and appends what they return.
 */
export type EventStore = Readonly<{
  /** Decides `command` against the aggregate's current state and appends the events, atomically per aggregate. */
  handle<A extends AggregateType, S, C>(
    aggregate: A,
    id: string,
    decider: Decider<S, C, EventsByAggregate[A]>,
    command: C,
    ctx: CommandContext,
    options?: HandleOptions,
  ): Promise<CommandResult<S>>
  /** Appends `events` only if the aggregate is at `expectedVersion` (ConcurrencyError `stream.wrong-version` otherwise). */
  append<A extends AggregateType>(
    aggregate: A,
    id: string,
    expectedVersion: number,
    events: readonly EventsByAggregate[A][],
    ctx: CommandContext,
  ): Promise<CommandResult<unknown>>
  /** Every event of one aggregate, in version order, read from its partition of the log. */
  readStream(aggregate: AggregateType, id: string): Promise<StoredEvent[]>
  /** A consumer group over event topics, handed units of decoded events. */
  subscribe(options: SubscriptionOptions): Promise<Subscription>
  close(): Promise<void>
}>

export type { DomainEvent }
