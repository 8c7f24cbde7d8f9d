import { randomBytes } from 'node:crypto'
import type { StoredEvent } from '../src/events/envelope.ts'
import { eventTopic } from '../src/events/topics.ts'
import type { Services } from '../src/infra/services.ts'
import { topicOffsets } from '../src/infra/topic-offsets.ts'

/** One task as the log tells it. */
export type TaskHistory = {
  id: string
  /** the submission id of its payload */
  sid: string | undefined
  types: string[]
  started: number
  completed: number
}

/**
 * Reads the task topic from its first offset to the end it has when the read begins (a throwaway
 * consumer group, no commits, deleted afterwards) and folds each task's events into a history.
 */
export async function readTaskHistories(services: Pick<Services, 'kafka' | 'admin' | 'codec' | 'config'>, timeoutMs = 60_000) {
  const topic = eventTopic(services.config.kafka.topicPrefix, 'task')
  const ends = await topicOffsets(services.admin, topic)
  const remaining = new Map(ends.filter((o) => Number(o.high) > Number(o.low)).map((o) => [o.partition, Number(o.high)]))
  const events: StoredEvent[] = []
  if (remaining.size > 0) {
    const groupId = `${services.config.kafka.topicPrefix}.chaos-reader.${randomBytes(4).toString('hex')}`
    const consumer = services.kafka.consumer({ groupId, maxWaitTimeInMs: 100, maxBytesPerPartition: 4 * 1024 * 1024 })
    await consumer.connect()
    try {
      await consumer.subscribe({ topic, fromBeginning: true })
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out reading ${topic}`)), timeoutMs)
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const end = remaining.get(partition)
              if (end === undefined || Number(message.offset) >= end) return
              events.push(await services.codec.decode(message, { topic, partition, offset: message.offset }))
              if (Number(message.offset) + 1 >= end) remaining.delete(partition)
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
      await services.admin.deleteGroups([groupId]).catch(() => undefined)
    }
  }
  return foldHistories(events)
}

export function foldHistories(events: readonly StoredEvent[]): Map<string, TaskHistory> {
  const byTask = new Map<string, TaskHistory>()
  const sorted = [...events].sort((a, b) => a.meta.version - b.meta.version)
  for (const e of sorted) {
    const id = e.meta.aggregateId
    const h = byTask.get(id) ?? { id, sid: undefined, types: [], started: 0, completed: 0 }
    byTask.set(id, h)
    h.types.push(e.type)
    if (e.type === 'TaskCreated') h.sid = sidOf(e.data.payload)
    if (e.type === 'TaskStarted') h.started++
    if (e.type === 'TaskCompleted') h.completed++
  }
  return byTask
}

const sidOf = (payload: string): string | undefined => {
  try {
    const sid = (JSON.parse(payload) as { sid?: unknown }).sid
    return typeof sid === 'string' ? sid : undefined
  } catch {
    return undefined
  }
}
