import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { Admin, Consumer, Kafka } from 'kafkajs'
import type { EventCodec } from '../events/avro-codec.ts'
import type { StoredEvent } from '../events/envelope.ts'
import { eventTopic } from '../events/topics.ts'
import type { Logger } from '../infra/logger.ts'
import { attributesOf, createAttributeCache, type AttributeCache, type AttributeLookup, type Attributes } from './aggregate-attributes.ts'
import { createLayout, type Position, type StreamLayout } from './stream-position.ts'
import { topicOffsets } from '../infra/topic-offsets.ts'

/** One decoded event with the slot (topic-partition) and offset it was read at. */
export type PositionedEvent = Readonly<{ event: StoredEvent; slot: number; offset: number; attributes: Attributes }>
export type TailListener = (e: PositionedEvent) => void

export type EventTailDeps = Readonly<{
  kafka: Kafka
  admin: Admin
  codec: EventCodec
  topicPrefix: string
  aggregates: readonly string[]
  logger: Logger
  lookup?: AttributeLookup
}>

export const streamGroupPrefix = (prefix: string): string => `${prefix}.stream.`

/** Reads the high watermark of every slot: where a stream that starts now begins. */
export async function logEnds(admin: Admin, layout: StreamLayout): Promise<Position> {
  const position: Position = new Array<number>(layout.size).fill(0)
  await Promise.all(
    layout.topics.map(async (t) => {
      for (const o of await topicOffsets(admin, t.topic)) {
        const slot = layout.slotOf(t.topic, o.partition)
        if (slot !== undefined) position[slot] = Number(o.high)
      }
    }),
  )
  return position
}

/**
 * The one tail consumer of an API process: reads every event topic from the end and hands
 * each event, in log order per partition, to the local clients' listeners. Its group is
 * unique to the process and never commits offsets: the position lives in memory only, seeded
 * from the high watermarks at start, so `position()` is exact at every moment.
 */
export async function startEventTail(deps: EventTailDeps) {
  const log = deps.logger.child({ part: 'stream-tail' })
  const topics = deps.aggregates.map((a) => ({ topic: eventTopic(deps.topicPrefix, a), aggregate: a }))
  const { topics: meta } = await deps.admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) })
  const counts = new Map(meta.map((m) => [m.name, m.partitions.length]))
  const layout = createLayout(topics.map((t) => ({ ...t, partitions: counts.get(t.topic) ?? 1 })))
  const next = await logEnds(deps.admin, layout)
  const listeners = new Set<TailListener>()
  const attributes: AttributeCache = createAttributeCache()
  let attributeReaders = 0

  const consumer: Consumer = deps.kafka.consumer({
    groupId: `${streamGroupPrefix(deps.topicPrefix)}${hostname()}.${process.pid}.${randomBytes(3).toString('hex')}`,
    maxWaitTimeInMs: 50,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
  })
  await consumer.connect()
  let joined!: () => void
  const ready = new Promise<void>((resolve) => {
    joined = resolve
  })
  // Seeking synchronously in the join handler applies before the first fetch.
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
      for (const partition of partitions) {
        const slot = layout.slotOf(topic, partition)
        if (slot !== undefined) consumer.seek({ topic, partition, offset: String(next[slot]) })
      }
    }
    joined()
  })
  for (const t of layout.topics) await consumer.subscribe({ topic: t.topic, fromBeginning: false })
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat }) => {
      const slot = layout.slotOf(batch.topic, batch.partition)
      if (slot === undefined || batch.messages.length === 0) return
      const decoded = await Promise.all(
        batch.messages.map((m) => deps.codec.decode(m, { topic: batch.topic, partition: batch.partition, offset: m.offset })),
      )
      const attrs = await attributesOf(attributes, decoded, attributeReaders > 0 ? deps.lookup : undefined)
      // Synchronous from here: a subscriber sees either none or all of what follows its position.
      for (let i = 0; i < decoded.length; i++) {
        const offset = Number(batch.messages[i]!.offset)
        if (offset < next[slot]!) continue
        next[slot] = offset + 1
        const e: PositionedEvent = { event: decoded[i]!, slot, offset, attributes: attrs[i]! }
        for (const listener of listeners) {
          try {
            listener(e)
          } catch (error) {
            log.error({ err: error }, 'stream listener failed')
          }
        }
      }
      await heartbeat()
    },
  })
  await Promise.race([ready, new Promise((resolve) => setTimeout(resolve, 10_000).unref())])
  log.debug({ partitions: layout.size }, 'stream tail running')

  return {
    layout,
    attributes,
    /** the next offset of every slot the tail will deliver (a live view: copy before keeping) */
    position: (): readonly number[] => next,
    /** Registers a listener; `at` is the position from which it receives every event. */
    subscribe(listener: TailListener, options: { attributes?: boolean } = {}): { at: Position; unsubscribe: () => void } {
      listeners.add(listener)
      if (options.attributes) attributeReaders++
      let active = true
      return {
        at: next.slice(),
        unsubscribe: () => {
          if (!active) return
          active = false
          listeners.delete(listener)
          if (options.attributes) attributeReaders--
        },
      }
    },
    clients: (): number => listeners.size,
    stop: async (): Promise<void> => {
      listeners.clear()
      await consumer.disconnect()
    },
  }
}

export type EventTail = Awaited<ReturnType<typeof startEventTail>>
