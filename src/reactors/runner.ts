import { setTimeout as sleep } from 'node:timers/promises'
import type { Consumer, Kafka } from 'kafkajs'
import type { CommandContext } from '../commands/handle-command.ts'
import { AppError } from '../errors.ts'
import type { EventCodec } from '../events/avro-codec.ts'
import type { AggregateType, StoredEvent } from '../events/envelope.ts'
import { eventTopic } from '../events/topics.ts'
import type { Logger } from '../infra/logger.ts'

/** Reacts to one event, typically by issuing commands. Must be idempotent: events are redelivered. */
export type Reaction = (event: StoredEvent) => Promise<void>

export type ReactorDeps = Readonly<{
  kafka: Kafka
  codec: EventCodec
  /** names the consumer group `<prefix>.reactor.<name>` */
  name: string
  aggregates: readonly AggregateType[]
  topicPrefix: string
  logger: Logger
  react: Reaction
  /** attempts for a retriable failure before the batch is handed back to Kafka (default 5) */
  retries?: number
}>

export const reactorGroup = (prefix: string, name: string): string => `${prefix}.reactor.${name}`

/**
 * The context of a command a process manager issues in reaction to `event`: the command id is
 * derived from the event, so a redelivered event re-issues the very same command.
 */
export const reactionContext = (event: StoredEvent, actor: string, suffix = ''): CommandContext => ({
  commandId: `${actor}:${event.meta.eventId}${suffix}`,
  correlationId: event.meta.correlationId,
  causationId: event.meta.eventId,
  actor,
})

/**
 * A process manager's consumer: events in log order per partition, offsets committed after
 * they were handled (at-least-once; reactions are idempotent, so the effect is exactly once).
 * A domain refusal (non-retriable AppError) is logged and skipped; a retriable failure is retried
 * with backoff, then the batch is handed back to Kafka to be redelivered.
 */
export function createReactor(deps: ReactorDeps) {
  const log = deps.logger.child({ reactor: deps.name })
  const topics = deps.aggregates.map((a) => eventTopic(deps.topicPrefix, a))
  const retries = deps.retries ?? 5
  const consumer: Consumer = deps.kafka.consumer({
    groupId: reactorGroup(deps.topicPrefix, deps.name),
    maxWaitTimeInMs: 100,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
  })

  const handle = async (event: StoredEvent): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await deps.react(event)
      } catch (error) {
        if (error instanceof AppError && !error.retriable) {
          log.debug({ code: error.code, eventType: event.type, aggregateId: event.meta.aggregateId }, 'reaction refused by the domain; skipped')
          return
        }
        if (attempt >= retries) throw error
        log.warn({ err: error, eventType: event.type, attempt }, 'reaction failed; retrying')
        await sleep(Math.min(2_000, 50 * 2 ** attempt) * (0.5 + Math.random()))
      }
    }
  }

  return {
    async start(): Promise<void> {
      await consumer.connect()
      for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true })
      await consumer.run({
        autoCommit: true,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 4,
        eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
          for (const message of batch.messages) {
            if (!isRunning() || isStale()) return
            const event = await deps.codec.decode(message, { topic: batch.topic, partition: batch.partition, offset: message.offset })
            await handle(event)
            resolveOffset(message.offset)
            await heartbeat()
          }
          await commitOffsetsIfNecessary()
        },
      })
    },
    async stop(): Promise<void> {
      await consumer.disconnect()
    },
  }
}

export type Reactor = ReturnType<typeof createReactor>
