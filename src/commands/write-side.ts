import { createAggregateRecords } from '../eventstore/aggregate-records.ts'
import { trackAppends, type AppendHealth } from '../eventstore/append-health.ts'
import { groupNaming } from '../eventstore/consumer-groups.ts'
import type { EventStore } from '../eventstore/event-store.ts'
import { createKafkaEventLog } from '../eventstore/kafka-event-log.ts'
import { createKafkaEventStore, type KafkaEventStoreDeps } from '../eventstore/kafka-event-store.ts'
import { createSnapshotLoader } from '../eventstore/snapshot-loader.ts'
import { subscribe } from '../eventstore/subscription.ts'
import { newId } from '../infra/ids.ts'
import type { Services } from '../infra/services.ts'
import { deciders } from './deciders.ts'
import { createCommandHandler, type CommandHandler } from './handle-command.ts'

export type WriteSide = Readonly<{
  execute: CommandHandler
  store: EventStore
  /** whether this process's appends succeed (readiness) */
  appends: AppendHealth
  close: () => Promise<void>
}>

/** What tests and benchmarks may change: the write budget, the clock, a pause before the send. */
export type WriteSideOverrides = Partial<Pick<KafkaEventStoreDeps, 'budgetMs' | 'clock' | 'beforeSend' | 'afterSend' | 'log'>>

/** Wires the event store (Kafka log, Redis write slots and state cache) and the command handler on top. */
export async function createWriteSide(services: Services, overrides: WriteSideOverrides = {}): Promise<WriteSide> {
  const { config, redis, db, codec, logger } = services
  const prefix = config.kafka.topicPrefix
  const tracked = trackAppends(overrides.log ?? (await createKafkaEventLog({ config, codec, clientId: `${prefix}-writer`, logger })))
  const { log } = tracked
  const budgetMs = overrides.budgetMs ?? config.append.produceTimeoutMs
  const store = createKafkaEventStore({
    records: createAggregateRecords({ redis, prefix: config.redis.prefix, budgetMs, ttlMs: config.append.snapshotTtlS * 1000 }),
    log,
    codec,
    topicPrefix: prefix,
    deciders,
    loadSnapshot: createSnapshotLoader({
      db,
      topicPrefix: prefix,
      snapshotsGroup: groupNaming(config.projector.groups, 'snapshots') ?? 'main',
      partitionOf: log.partitionOf,
    }),
    subscribe: (options) => subscribe({ kafka: services.kafka, codec, topicPrefix: prefix, logger }, options),
    budgetMs,
    clock: Date.now,
    newId,
    logger,
    close: () => log.close(),
    ...overrides,
  })
  return { execute: createCommandHandler(store), store, appends: tracked.health, close: () => store.close() }
}
