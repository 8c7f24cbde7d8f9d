import type { StoredEvent } from '../../src/events/envelope.ts'
import { eventTopic } from '../../src/events/topics.ts'
import type { Harness } from './harness.ts'
import { topicOffsets } from '../../src/infra/topic-offsets.ts'

/** Every event of one aggregate type's topic up to its current end, decoded through the registry. */
export async function readEvents(h: Harness, aggregate: string): Promise<StoredEvent[]> {
  const topic = eventTopic(h.config.kafka.topicPrefix, aggregate)
  const ends = await topicOffsets(h.services.admin, topic)
  const remaining = new Map(ends.filter((o) => Number(o.high) > 0).map((o) => [o.partition, Number(o.high)]))
  const events: StoredEvent[] = []
  if (remaining.size === 0) return events
  const consumer = h.services.kafka.consumer({
    groupId: `${h.config.kafka.topicPrefix}.test-reader.${Math.random().toString(36).slice(2)}`,
    maxWaitTimeInMs: 100,
  })
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out reading ${topic}`)), 20_000)
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            events.push(await h.services.codec.decode(message, { topic, partition, offset: message.offset }))
            if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) remaining.delete(partition)
            if (remaining.size === 0) {
              clearTimeout(timer)
              resolve()
            }
          },
        })
        .catch(reject)
    })
  } finally {
    await consumer.disconnect()
  }
  return events
}

/** The harness' task events up to the current end of the log. */
export const readTaskEvents = (h: Harness): Promise<StoredEvent[]> => readEvents(h, 'task')

/** Event types per task id, in version order. */
export function typesByTask(events: readonly StoredEvent[]): Map<string, string[]> {
  const byTask = new Map<string, StoredEvent[]>()
  for (const e of events) byTask.set(e.meta.aggregateId, [...(byTask.get(e.meta.aggregateId) ?? []), e])
  return new Map([...byTask].map(([id, list]) => [id, list.sort((a, b) => a.meta.version - b.meta.version).map((e) => e.type)]))
}
