import { randomBytes } from 'node:crypto'
import type { Consumer, Kafka } from 'kafkajs'
import type { EventCodec } from '../events/avro-codec.ts'
import type { Logger } from '../infra/logger.ts'
import { attributesOf, type AttributeCache, type AttributeLookup } from './aggregate-attributes.ts'
import type { PositionedEvent } from './event-tail.ts'
import type { StreamLayout } from './stream-position.ts'

export type CatchUpDeps = Readonly<{
  kafka: Kafka
  codec: EventCodec
  layout: StreamLayout
  /** topics to read, each from `from` */
  topics: readonly string[]
  from: readonly number[]
  groupPrefix: string
  attributes: AttributeCache
  lookup?: AttributeLookup
  logger: Logger
  /** receives each batch in log order; awaiting it is the back-pressure on the read */
  onBatch: (events: readonly PositionedEvent[]) => Promise<void>
}>

/**
 * A short-lived consumer that reads history for one resuming client, from its position onwards.
 * Its own throw-away group never commits; fetches are kept small so one batch is a bounded
 * amount of memory, and the next fetch waits until the client has taken the previous batch.
 */
export async function startCatchUpReader(deps: CatchUpDeps): Promise<{ stop: () => Promise<void> }> {
  const consumer: Consumer = deps.kafka.consumer({
    groupId: `${deps.groupPrefix}catchup.${randomBytes(6).toString('hex')}`,
    maxWaitTimeInMs: 50,
    maxBytes: 2 * 1024 * 1024,
    maxBytesPerPartition: 1024 * 1024,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
  })
  let stopped = false
  await consumer.connect()
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
      for (const partition of partitions) {
        const slot = deps.layout.slotOf(topic, partition)
        if (slot !== undefined) consumer.seek({ topic, partition, offset: String(deps.from[slot] ?? 0) })
      }
    }
  })
  for (const topic of deps.topics) await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat }) => {
      const slot = deps.layout.slotOf(batch.topic, batch.partition)
      if (stopped || slot === undefined || batch.messages.length === 0) return
      const decoded = await Promise.all(
        batch.messages.map((m) => deps.codec.decode(m, { topic: batch.topic, partition: batch.partition, offset: m.offset })),
      )
      const attrs = await attributesOf(deps.attributes, decoded, deps.lookup)
      await deps.onBatch(decoded.map((event, i) => ({ event, slot, offset: Number(batch.messages[i]!.offset), attributes: attrs[i]! })))
      await heartbeat()
    },
  })
  return {
    stop: async () => {
      if (stopped) return
      stopped = true
      await consumer.disconnect().catch((error) => deps.logger.warn({ err: error }, 'catch-up reader did not disconnect cleanly'))
    },
  }
}
