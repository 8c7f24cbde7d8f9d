import type { CommandContext, CommandHandler } from '../commands/handle-command.ts'
import { AppError } from '../errors.ts'
import type { AggregateType, StoredEvent } from '../events/envelope.ts'
import type { EventStore } from '../eventstore/event-store.ts'
import type { Logger } from '../infra/logger.ts'
import type { Services } from '../infra/services.ts'

/** What a reactor may use to react: the connected services, the append path, an aggregate's events, a clock. */
export type ReactorDeps = Readonly<{
  services: Services
  execute: CommandHandler
  /** every event of one aggregate, from the log: the authoritative answer where a read model may lag */
  readStream: EventStore['readStream']
  clock: () => number
}>

/**
 * Reacts to a batch of events: log order within each stream, streams in any order. Must be
 * idempotent — a unit of work is redelivered after a crash, or retried after a failure.
 */
export type React = (events: readonly StoredEvent[]) => Promise<void>

/** A running reactor and what it owns (a producer, a connection) to release when it stops. */
export type ReactorInstance = Readonly<{ react: React; stop?: () => Promise<void> }>

/** Reacts to the events of some aggregates, typically with idempotent commands. */
export type Reactor = Readonly<{
  name: string
  aggregates: readonly AggregateType[]
  create: (deps: ReactorDeps) => ReactorInstance | Promise<ReactorInstance>
}>

/**
 * The context of a command a reactor issues in reaction to `event`: the command id is derived
 * from the event, so a redelivered event re-issues the very same command.
 */
export const reactionContext = (event: StoredEvent, actor: string, suffix = ''): CommandContext => ({
  commandId: `${actor}:${event.meta.eventId}${suffix}`,
  correlationId: event.meta.correlationId,
  causationId: event.meta.eventId,
  actor,
})

/**
 * A per-event reaction as a batch reaction: each stream's events in order, streams side by side
 * (their commands then share the append path's group commits). A domain refusal (non-retriable
 * AppError) is logged and skipped; anything else fails the batch, to be retried.
 */
export function eachStream(reaction: (event: StoredEvent) => Promise<void>, logger: Logger, concurrency = 128): React {
  return async (events) => {
    const streams = new Map<string, StoredEvent[]>()
    for (const e of events) {
      const key = `${e.aggregateType}:${e.meta.aggregateId}`
      const list = streams.get(key)
      if (list) list.push(e)
      else streams.set(key, [e])
    }
    const queue = [...streams.values()]
    const worker = async () => {
      for (let stream = queue.shift(); stream; stream = queue.shift()) {
        for (const event of stream) {
          try {
            await reaction(event)
          } catch (error) {
            if (!(error instanceof AppError) || error.retriable) throw error
            logger.debug(
              { code: error.code, eventType: event.type, aggregateId: event.meta.aggregateId },
              'reaction refused by the domain; skipped',
            )
          }
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker))
  }
}
