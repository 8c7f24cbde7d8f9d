import type { Consumer, Kafka } from 'kafkajs'
import type { EventCodec } from '../events/avro-codec.ts'
import { eventTopic, projectionGroup } from '../events/topics.ts'
import type { Db } from '../infra/postgres.ts'
import type { Logger } from '../infra/logger.ts'
import { applyBatch, type BatchOutcome } from './apply-batch.ts'
import type { Projection } from './projection.ts'

export type ProjectionRunnerDeps = Readonly<{
  kafka: Kafka
  db: Db
  codec: EventCodec
  projection: Projection
  topicPrefix: string
  logger: Logger
  /** consumer group; defaults to `<prefix>.projection.<name>` (rebuilds use their own) */
  groupId?: string
  onBatch?: (outcome: BatchOutcome & { topic: string; partition: number }) => void
}>

/**
 * One Kafka consumer group per projection. Each partition batch is applied in one Postgres
 * transaction together with its checkpoint; on assignment the consumer seeks to the Postgres
 * checkpoint, so Kafka's own committed offsets only serve monitoring (lag in Kafka UI).
 */
export function createProjectionRunner(deps: ProjectionRunnerDeps) {
  const { projection, logger } = deps
  const log = logger.child({ projection: projection.name })
  const topics = projection.aggregates.map((a) => eventTopic(deps.topicPrefix, a))
  const consumer: Consumer = deps.kafka.consumer({
    groupId: deps.groupId ?? projectionGroup(deps.topicPrefix, projection.name),
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxWaitTimeInMs: 100,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
  })

  const seekToCheckpoints = async (assignment: Record<string, number[]>): Promise<void> => {
    const assigned = Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })))
    if (assigned.length === 0) return
    const rows = await deps.db.selectFrom('projection_checkpoints').select(['topic', 'partition', 'next_offset'])
      .where('projection', '=', projection.name).where('topic', 'in', topics).execute()
    const next = new Map(rows.map((r) => [`${r.topic}:${r.partition}`, r.next_offset]))
    for (const { topic, partition } of assigned) {
      consumer.seek({ topic, partition, offset: String(next.get(`${topic}:${partition}`) ?? 0) })
    }
  }

  return {
    async start(): Promise<void> {
      await consumer.connect()
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        seekToCheckpoints(payload.memberAssignment).catch((error) => log.error({ err: error }, 'could not seek to checkpoints'))
      })
      for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true })
      await consumer.run({
        autoCommit: true,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 4,
        eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isStale }) => {
          if (batch.messages.length === 0 || isStale()) return
          const position = (offset: string) => ({ topic: batch.topic, partition: batch.partition, offset })
          const events = await Promise.all(batch.messages.map((m) => deps.codec.decode(m, position(m.offset))))
          const outcome = await deps.db.transaction().execute((tx) => applyBatch(tx, projection, batch.topic, batch.partition, events))
          for (const c of outcome.conflicts) {
            log.error({ stream: c.stream, kind: c.kind, version: c.event.meta.version, expected: c.expected, eventId: c.event.meta.eventId }, 'event conflict: skipped')
          }
          deps.onBatch?.({ ...outcome, topic: batch.topic, partition: batch.partition })
          resolveOffset(batch.lastOffset())
          await commitOffsetsIfNecessary()
          await heartbeat()
        },
      })
    },
    async stop(): Promise<void> {
      await consumer.disconnect()
    },
  }
}

export type ProjectionRunner = ReturnType<typeof createProjectionRunner>
