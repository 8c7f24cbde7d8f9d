import { newId } from '../infra/ids.ts'
import { Partitioners, type Producer } from 'kafkajs'
import { eventTypesByAggregate, type AggregateType } from '../events/generated/event-types.ts'
import { eventTopic } from '../events/topics.ts'
import { createAggregateLeases } from '../eventstore/aggregate-lease.ts'
import { createLogSnapshotLoader } from '../eventstore/log-snapshot-loader.ts'
import { createKeyPartitioner } from '../eventstore/partitioner.ts'
import { createProduceBatcher } from '../eventstore/produce-batcher.ts'
import { partitionCounts } from '../eventstore/topic-admin.ts'
import type { Services } from '../infra/services.ts'
import { groupOf } from '../projections/groups.ts'
import { configuredGroups } from '../projections/projector.ts'
import { createCommandHandler, type CommandHandler, type CommandHandlerDeps } from './handle-command.ts'

export type WriteSide = Readonly<{ execute: CommandHandler; producer: Producer; close: () => Promise<void> }>

/** Wires the append path: idempotent producer + batcher, Redis leases, log fallback. */
export async function createWriteSide(services: Services, overrides: Partial<CommandHandlerDeps> = {}): Promise<WriteSide> {
  const { config, kafka, admin, redis, db, codec, logger } = services
  const producer = kafka.producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
    maxInFlightRequests: 1,
    // kafkajs retries inside the append deadline; the deadline stays far below the lease TTL.
    retry: { retries: 3, initialRetryTime: 50, maxRetryTime: Math.floor(config.append.produceTimeoutMs / 3) },
  })
  await producer.connect()
  const topics = (Object.keys(eventTypesByAggregate) as AggregateType[]).map((a) => eventTopic(config.kafka.topicPrefix, a))
  const counts = await partitionCounts(admin, topics)
  const partitioner = createKeyPartitioner()
  const partitionOf = (topic: string, key: string) => partitioner(topic, key, counts.get(topic) ?? 1)

  const leaseTtlMs = overrides.leaseTtlMs ?? config.append.leaseTtlMs
  const execute = createCommandHandler({
    leases: createAggregateLeases({ redis, prefix: config.redis.prefix, ttlMs: leaseTtlMs }),
    batcher: createProduceBatcher({ producer, requestTimeoutMs: Math.floor(config.append.produceTimeoutMs / 2) }),
    codec,
    partitionOf,
    loadFromLog: createLogSnapshotLoader({ admin, db, topicPrefix: config.kafka.topicPrefix, partitionOf, waitMs: config.readWaitMs, snapshotsGroup: groupOf(configuredGroups(config), 'snapshots')?.consumer ?? 'main' }),
    topicPrefix: config.kafka.topicPrefix,
    produceTimeoutMs: config.append.produceTimeoutMs,
    leaseTtlMs,
    clock: Date.now,
    newId: newId,
    logger: logger.child({ part: 'append' }),
    ...overrides,
  })
  return { execute, producer, close: () => producer.disconnect() }
}
