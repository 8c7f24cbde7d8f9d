import type { Admin } from 'kafkajs'
import { AppError } from '../errors.ts'
import { eventTopic } from '../events/topics.ts'
import type { PartitionRange } from '../eventstore/log-reader.ts'
import { watermarks } from '../eventstore/log-reader.ts'

/** Which part of the log an operator means; every bound is optional. */
export type RangeOptions = Readonly<{
  partition?: number
  fromOffset?: number
  /** inclusive, as an operator reads "from 10 to 20" */
  toOffset?: number
  from?: Date
  /** inclusive */
  to?: Date
  /** no upper bound: keep reading new events */
  follow?: boolean
}>

/** `task` → `<prefix>.task.events`; a name with a dot is a full topic name (dispatch topics too). */
export const resolveTopicName = (prefix: string, name: string): string => (name.includes('.') ? name : eventTopic(prefix, name))

export async function assertTopicsExist(admin: Admin, topics: readonly string[]): Promise<void> {
  const existing = new Set(await admin.listTopics())
  const missing = topics.filter((t) => !existing.has(t))
  if (missing.length > 0) throw new AppError('topic.not-found', `no such topic: ${missing.join(', ')}`)
}

/**
 * Turns the options into offset ranges per partition. Without `follow`, the upper bound is the
 * end offset captured now, so a dump stops even while events keep arriving.
 */
export async function resolveRanges(admin: Admin, topics: readonly string[], o: RangeOptions): Promise<PartitionRange[]> {
  const ranges: PartitionRange[] = []
  for (const topic of topics) {
    const marks = (await watermarks(admin, [topic])).filter((m) => o.partition === undefined || m.partition === o.partition)
    if (o.partition !== undefined && marks.length === 0)
      throw new AppError('topic.no-partition', `${topic} has no partition ${o.partition}`)
    const fromTs = o.from ? byPartition(await admin.fetchTopicOffsetsByTimestamp(topic, o.from.getTime())) : undefined
    const toTs = o.to ? byPartition(await admin.fetchTopicOffsetsByTimestamp(topic, o.to.getTime() + 1)) : undefined
    for (const m of marks) {
      const from = Math.max(m.low, o.fromOffset ?? 0, fromTs?.get(m.partition) ?? 0)
      const bounds = [
        o.follow ? Infinity : m.high,
        o.toOffset !== undefined ? o.toOffset + 1 : Infinity,
        toTs?.get(m.partition) ?? Infinity,
      ]
      const to = Math.min(...bounds)
      ranges.push({ topic, partition: m.partition, from, to: Number.isFinite(to) ? Math.max(to, from) : undefined })
    }
  }
  return ranges
}

const byPartition = (offsets: readonly { partition: number; offset: string }[]) =>
  new Map(offsets.map((x) => [x.partition, Number(x.offset)]))

/** Total events the bounded ranges hold (for progress bars). */
export const rangeSize = (ranges: readonly PartitionRange[]): number =>
  ranges.reduce((n, r) => n + (r.to === undefined ? 0 : r.to - r.from), 0)
