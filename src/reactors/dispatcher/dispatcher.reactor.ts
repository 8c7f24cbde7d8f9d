import { Partitioners } from 'kafkajs'
import { headers, type StoredEvent } from '../../events/envelope.ts'
import { createProduceBatcher, type OutgoingRecord } from '../../eventstore/produce-batcher.ts'
import { createDispatchChannel } from '../../workers/dispatch/dispatch-channel.ts'
import { deadLetterTopic, dispatchTopic, validPoolName } from '../../workers/dispatch/dispatch-topics.ts'
import type { Reactor } from '../reactor.ts'

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
      admin: services.admin, registry: services.registry, registryUrl: config.registryUrl, schemas: services.schemas,
      prefix, partitions: config.workers.dispatchPartitions,
    })
    const producer = services.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner })
    await producer.connect()
    const batcher = createProduceBatcher({ producer, requestTimeoutMs: config.append.produceTimeoutMs })
    const log = logger.child({ reactor: 'dispatcher' })

    const recordOf = async (event: StoredEvent): Promise<OutgoingRecord | undefined> => {
      if (event.type !== 'TaskQueued' && event.type !== 'TaskDeadLettered') return undefined
      const { pool, priority } = event.data
      if (!validPoolName(pool)) {
        log.warn({ taskId: event.meta.aggregateId, pool }, 'pool name cannot name a topic; task not dispatched')
        return undefined
      }
      const ids = await channel.ensurePool(pool)
      const common = { key: event.meta.aggregateId, timestamp: String(event.meta.occurredAt), headers: { [headers.correlationId]: event.meta.correlationId } }
      if (event.type === 'TaskQueued') {
        const value = channel.dispatch.encode({
          taskId: event.meta.aggregateId, pool, priority, attempt: event.data.attempt, dispatchVersion: event.meta.version,
          queuedAt: event.meta.occurredAt, correlationId: event.meta.correlationId,
        }, ids.laneSchemaId)
        return { topic: dispatchTopic(prefix, pool, priority), message: { ...common, value } }
      }
      const value = channel.deadLetter.encode({
        taskId: event.meta.aggregateId, pool, priority, attempts: event.data.attempts, lastError: event.data.lastError,
        version: event.meta.version, deadLetteredAt: event.meta.occurredAt, correlationId: event.meta.correlationId,
      }, ids.dlqSchemaId)
      return { topic: deadLetterTopic(prefix, pool), message: { ...common, value } }
    }

    return {
      stop: () => producer.disconnect(),
      async react(events) {
        // Records keep the events' order, so one task's records keep theirs on its partition.
        const records = (await Promise.all(events.map(recordOf))).filter((r): r is OutgoingRecord => r !== undefined)
        if (records.length > 0) await batcher.send(records)
      },
    }
  },
}
