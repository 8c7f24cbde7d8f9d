import { randomBytes } from 'node:crypto'
import type { AggregateType, StoredEvent } from '../../src/events/envelope.ts'
import { eventTopic } from '../../src/events/topics.ts'
import type { Harness } from './harness.ts'
import { topicOffsets } from '../../src/infra/topic-offsets.ts'

/** Every event of one aggregate as it sits in Kafka now, decoded through the registry. */
export async function readStream(h: Harness, aggregate: AggregateType, id: string): Promise<StoredEvent[]> {
  const { kafka, admin, codec } = h.services
  const topic = eventTopic(h.config.kafka.topicPrefix, aggregate)
  const ends = new Map((await topicOffsets(admin, topic)).map((o) => [o.partition, Number(o.high)]))
  const pending = new Set([...ends].filter(([, high]) => high > 0).map(([p]) => p))
  const events: StoredEvent[] = []
  if (pending.size === 0) return events
  const consumer = kafka.consumer({
    groupId: `${h.config.kafka.topicPrefix}.read-log.${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 50,
  })
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            if (message.key?.toString() === id) events.push(await codec.decode(message, { topic, partition, offset: message.offset }))
            if (Number(message.offset) + 1 >= (ends.get(partition) ?? 0)) pending.delete(partition)
            if (pending.size === 0) resolve()
          },
        })
        .catch(reject)
    })
  } finally {
    await consumer.disconnect()
  }
  return events.sort((a, b) => a.meta.version - b.meta.version)
}
