import { setTimeout as sleep } from 'node:timers/promises'
import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs'
import { newId } from '../infra/ids.ts'
import type { Logger } from '../infra/logger.ts'
import { topicOffsets } from '../infra/topic-offsets.ts'

/** Offsets `from` (inclusive) to `to` (exclusive) of one partition; no `to` follows the log. */
export type PartitionRange = Readonly<{ topic: string; partition: number; from: number; to?: number }>

export type LogBatch = Readonly<{ topic: string; partition: number; messages: readonly KafkaMessage[] }>

export type LogReaderDeps = Readonly<{ kafka: Kafka; admin: Admin; logger: Logger; topicPrefix: string }>

export type LogReader = Readonly<{
  /** resolves when every bounded range is read, or after `stop()` */
  done: Promise<void>
  stop: () => Promise<void>
}>

const keyOf = (topic: string, partition: number) => `${topic}:${partition}`

/**
 * Reads partition ranges with a throwaway consumer group that never commits offsets and is
 * deleted afterwards: operator tools must never move a real group. Batches of one partition
 * arrive in log order; `onBatch` runs for a partition only after its previous batch settled.
 */
export type ReadOptions = Readonly<{
  label?: string
  concurrency?: number
  /**
   * An offset a partition must not pass yet: later records are held back (not consumed) and
   * fetched again once the limit has moved. Lets a rebuild stop exactly at the live position.
   */
  limitOf?: (topic: string, partition: number) => number | undefined
}>

export async function readLog(
  deps: LogReaderDeps,
  ranges: readonly PartitionRange[],
  onBatch: (batch: LogBatch) => Promise<void>,
  options: ReadOptions = {},
): Promise<LogReader> {
  const byKey = new Map(ranges.map((r) => [keyOf(r.topic, r.partition), r]))
  const open = new Set([...byKey].filter(([, r]) => r.to === undefined || r.from < r.to).map(([k]) => k))
  let settle: { resolve: () => void; reject: (e: unknown) => void } | undefined
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject }
  })
  if (open.size === 0) return { done: Promise.resolve(), stop: async () => undefined }

  const groupId = `${deps.topicPrefix}.ops.${options.label ?? 'read'}.${newId().toLowerCase()}`
  const consumer: Consumer = deps.kafka.consumer({
    groupId,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxWaitTimeInMs: 100,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
  })
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await consumer.disconnect().catch(() => undefined)
    await deps.admin
      .deleteGroups([groupId])
      .catch((error) => deps.logger.debug({ err: error, groupId }, 'could not delete the throwaway group'))
    settle?.resolve()
  }
  const fail = (error: unknown) => {
    settle?.reject(error)
    void stop()
  }

  await consumer.connect()
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
      for (const partition of partitions) {
        const range = byKey.get(keyOf(topic, partition))
        if (range && open.has(keyOf(topic, partition))) consumer.seek({ topic, partition, offset: String(range.from) })
        else consumer.pause([{ topic, partitions: [partition] }])
      }
    }
  })
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) fail(payload.error)
  })
  for (const topic of new Set(ranges.map((r) => r.topic))) await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.concurrency ?? 4,
    eachBatch: async ({ batch, heartbeat, isRunning, resolveOffset }) => {
      const key = keyOf(batch.topic, batch.partition)
      const range = byKey.get(key)
      if (!range || !open.has(key) || !isRunning() || stopped) return
      const limit = options.limitOf?.(batch.topic, batch.partition) ?? Infinity
      const inRange = batch.messages.filter(
        (m) => Number(m.offset) >= range.from && (range.to === undefined || Number(m.offset) < range.to),
      )
      const messages = inRange.filter((m) => Number(m.offset) < limit)
      try {
        if (messages.length > 0) await onBatch({ topic: batch.topic, partition: batch.partition, messages })
      } catch (error) {
        fail(error)
        return
      }
      if (messages.length < inRange.length) {
        // Unresolved records are fetched again: wait a little for the limit to move.
        if (messages.length > 0) resolveOffset(messages[messages.length - 1]!.offset)
        await sleep(20)
        await heartbeat()
        return
      }
      resolveOffset(batch.lastOffset())
      const next = Number(batch.lastOffset()) + 1
      if (range.to !== undefined && next >= range.to) {
        open.delete(key)
        consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }])
        if (open.size === 0) void stop()
      }
      await heartbeat()
    },
  })
  return { done, stop }
}

/** High and low watermarks of every partition of the topics. */
export async function watermarks(
  admin: Admin,
  topics: readonly string[],
): Promise<{ topic: string; partition: number; low: number; high: number }[]> {
  const all = await Promise.all(
    topics.map(async (topic) =>
      (await topicOffsets(admin, topic)).map((o) => ({ topic, partition: o.partition, low: Number(o.low), high: Number(o.high) })),
    ),
  )
  return all.flat().sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
}
