import { randomBytes } from 'node:crypto'
import type { StoredEvent } from '../../src/events/envelope.ts'
import type { Harness } from './harness.ts'

/** Every event of the harness' task topic up to the current end of the log, decoded. */
export async function readTaskEvents(h: Harness): Promise<StoredEvent[]> {
  const topic = `${h.config.kafka.topicPrefix}.task.events`
  const ends = await h.services.admin.fetchTopicOffsets(topic)
  const expected = ends.reduce((sum, o) => sum + Number(o.high), 0)
  const events: StoredEvent[] = []
  if (expected === 0) return events
  const consumer = h.services.kafka.consumer({ groupId: `read-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 })
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${events.length} of ${expected} events`)), 30_000)
      consumer.run({
        eachMessage: async ({ message, partition }) => {
          events.push(await h.services.codec.decode(message, { topic, partition, offset: message.offset }))
          if (events.length >= expected) { clearTimeout(timer); resolve() }
        },
      }).catch(reject)
    })
  } finally {
    await consumer.disconnect()
  }
  return events
}

/** Event types per task id, in version order. */
export function typesByTask(events: readonly StoredEvent[]): Map<string, string[]> {
  const byTask = new Map<string, StoredEvent[]>()
  for (const e of events) byTask.set(e.meta.aggregateId, [...(byTask.get(e.meta.aggregateId) ?? []), e])
  return new Map([...byTask].map(([id, list]) => [id, list.sort((a, b) => a.meta.version - b.meta.version).map((e) => e.type)]))
}
