import { headers, type StoredEvent } from '../../events/envelope.ts'
import { partitionOfKey } from '../../eventstore/partitioner.ts'
import { createProduceBatcher } from '../../eventstore/produce-batcher.ts'
import { createProducer } from '../../infra/kafka-clients.ts'
import { createDispatchChannel } from '../../dispatch/dispatch-channel.ts'
import { deadLetterTopic, dispatchTopic, validPoolName } from '../../dispatch/dispatch-topics.ts'
import type { Reactor } from '../reactor.ts'

type DispatchOut = Readonly<{ topic: string; partition: number; key: string; value: Buffer; timestamp: number; correlationId: string }>

/**
 * TaskQueued → a dispatch record on the pool's priority lane; TaskDeadLettered → a record on the
 * pool's dead-letter topic; a batch of events is one produce. Redelivered events produce duplicate
 * records, which are harmless: StartTask accepts a dispatch record only once, for the TaskQueued
 * version it carries.
 */
export const dispatcherReactor: Reactor = {
  name: 'dispatcher',
  aggregates: ['task'],
  async create({ services }) {
    const { config, logger } = services
    const prefix = config.kafka.topicPrefix
    const channel = createDispatchChannel({
      admin: services.admin,
      registry: services.registry,
      registryUrl: config.registryUrl,
      schemas: services.schemas,
      prefix,
      partitions: config.workers.dispatchPartitions,
    })
    const producer = createProducer(config, `${prefix}-dispatcher`)
    const batcher = createProduceBatcher<DispatchOut>({
      send: async (records) =>
        (
          await producer.send({
            messages: records.map((r) => ({
              topic: r.topic,
              partition: r.partition,
              key: Buffer.from(r.key),
              value: r.value,
              timestamp: BigInt(r.timestamp),
              headers: new Map([[Buffer.from(headers.correlationId), Buffer.from(r.correlationId)]]),
            })),
          })
        ).offsets ?? [],
    })
    const log = logger.child({ reactor: 'dispatcher' })

    const recordOf = async (event: StoredEvent): Promise<DispatchOut | undefined> => {
      if (event.type !== 'TaskQueued' && event.type !== 'TaskDeadLettered') return undefined
      const { pool, priority } = event.data
      if (!validPoolName(pool)) {
        log.warn({ taskId: event.meta.aggregateId, pool }, 'pool name cannot name a topic; task not dispatched')
        return undefined
      }
      const ids = await channel.ensurePool(pool)
      const key = event.meta.aggregateId
      const common = { key, timestamp: event.meta.occurredAt, correlationId: event.meta.correlationId }
      if (event.type === 'TaskQueued') {
        const value = channel.dispatch.encode(
          {
            taskId: event.meta.aggregateId,
            pool,
            priority,
            attempt: event.data.attempt,
            dispatchVersion: event.meta.version,
            queuedAt: event.meta.occurredAt,
            correlationId: event.meta.correlationId,
          },
          ids.laneSchemaId,
        )
        const topic = dispatchTopic(prefix, pool, priority)
        return { ...common, topic, partition: partitionOfKey(key, await channel.partitionsOf(topic)), value }
      }
      const value = channel.deadLetter.encode(
        {
          taskId: event.meta.aggregateId,
          pool,
          priority,
          attempts: event.data.attempts,
          lastError: event.data.lastError,
          version: event.meta.version,
          deadLetteredAt: event.meta.occurredAt,
          correlationId: event.meta.correlationId,
        },
        ids.dlqSchemaId,
      )
      const topic = deadLetterTopic(prefix, pool)
      return { ...common, topic, partition: partitionOfKey(key, await channel.partitionsOf(topic)), value }
    }

    return {
      stop: () => producer.close(),
      async react(events) {
        // Records keep the events' order, so one task's records keep theirs on its partition.
        const records = (await Promise.all(events.map(recordOf))).filter((r): r is DispatchOut => r !== undefined)
        if (records.length > 0) await batcher.send(records, performance.now() + config.append.produceTimeoutMs)
      },
    }
  },
}
