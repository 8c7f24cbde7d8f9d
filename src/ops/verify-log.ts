import { AppError } from '../errors.ts'
import type { EventCodec } from '../events/avro-codec.ts'
import type { StoredEvent } from '../events/envelope.ts'
import { eventTypesByAggregate } from '../events/generated/event-types.ts'
import { eventTopic } from '../events/topics.ts'
import { readLog, type LogReaderDeps } from '../eventstore/log-reader.ts'
import { partitionOfKey } from '../eventstore/partitioner.ts'
import { assertTopicsExist, rangeSize, resolveRanges } from './log-range.ts'
import { createVersionCheck, type LogSpot, type VersionCheckResult } from './version-check.ts'

export type VerifyDeps = LogReaderDeps & Readonly<{ codec: EventCodec }>

export type VerifyOptions = Readonly<{
  /** only these aggregate types (default: every event topic of the namespace) */
  aggregates?: readonly string[]
  /** how many offending streams the report details (default 20) */
  offendingLimit?: number
}>

export type VerifyReport = VersionCheckResult &
  Readonly<{
    topics: readonly string[]
    partitions: number
    /** records that are not events this code can decode (bad framing, unknown type) */
    undecodable: number
    undecodableAt: readonly (LogSpot & { error: string })[]
    /** partitions whose log no longer starts at offset 0: their first versions cannot be checked */
    truncated: readonly { topic: string; partition: number; from: number }[]
  }>

const knownAggregates = Object.keys(eventTypesByAggregate)

async function topicsToVerify(deps: VerifyDeps, aggregates: readonly string[] | undefined): Promise<string[]> {
  if (aggregates && aggregates.length > 0) {
    const unknown = aggregates.filter((a) => !knownAggregates.includes(a))
    if (unknown.length > 0)
      throw new AppError('verify.unknown-aggregate', `unknown aggregate type ${unknown.join(', ')} (known: ${knownAggregates.join(', ')})`)
    const topics = aggregates.map((a) => eventTopic(deps.topicPrefix, a))
    await assertTopicsExist(deps.admin, topics)
    return topics
  }
  const existing = new Set(await deps.admin.listTopics())
  const topics = knownAggregates.map((a) => eventTopic(deps.topicPrefix, a)).filter((t) => existing.has(t))
  if (topics.length === 0) throw new AppError('verify.no-topics', `no event topics under the prefix ${deps.topicPrefix}`)
  return topics
}

/**
 * Reads every event topic of the namespace from its first offset to the end offsets captured at
 * start and checks each stream's versions (duplicates, gaps, order, partition) with
 * `createVersionCheck`. Reads with a throwaway group: no real group moves.
 */
export async function verifyLog(
  deps: VerifyDeps,
  options: VerifyOptions = {},
  onProgress?: (done: number, total: number) => void,
): Promise<VerifyReport> {
  const topics = await topicsToVerify(deps, options.aggregates)
  const ranges = await resolveRanges(deps.admin, topics, {})
  const partitionCount = new Map<string, number>()
  for (const r of ranges) partitionCount.set(r.topic, (partitionCount.get(r.topic) ?? 0) + 1)
  const aggregateOf = new Map(knownAggregates.map((a) => [eventTopic(deps.topicPrefix, a), a]))
  const total = rangeSize(ranges)
  const check = createVersionCheck({ offendingLimit: options.offendingLimit })
  const undecodableAt: (LogSpot & { error: string })[] = []
  let undecodable = 0
  let read = 0

  const decode = async (batch: Parameters<EventCodec['decodeAll']>[0], topic: string, partition: number): Promise<StoredEvent[]> => {
    try {
      return await deps.codec.decodeAll(batch, topic, partition)
    } catch {
      // One bad record must not hide the others: decode them one by one and count the bad ones.
      const events: StoredEvent[] = []
      for (const m of batch) {
        try {
          events.push(await deps.codec.decode(m, { topic, partition, offset: m.offset }))
        } catch (error) {
          undecodable++
          if (undecodableAt.length < 20) undecodableAt.push({ topic, partition, offset: Number(m.offset), error: (error as Error).message })
        }
      }
      return events
    }
  }

  const reader = await readLog(
    deps,
    ranges,
    async ({ topic, partition, messages }) => {
      const aggregate = aggregateOf.get(topic)!
      const partitions = partitionCount.get(topic)!
      for (const e of await decode(messages, topic, partition)) {
        const id = e.meta.aggregateId
        check.observe({
          stream: `${aggregate}:${id}`,
          version: e.meta.version,
          eventId: e.meta.eventId,
          at: { topic, partition, offset: Number(e.position.offset) },
          expectedPartition: partitionOfKey(id, partitions),
        })
      }
      read += messages.length
      onProgress?.(read, total)
    },
    { label: 'verify' },
  )
  try {
    await reader.done
  } finally {
    await reader.stop()
  }
  return {
    ...check.result(),
    topics,
    partitions: ranges.length,
    undecodable,
    undecodableAt,
    truncated: ranges.filter((r) => r.from > 0).map((r) => ({ topic: r.topic, partition: r.partition, from: r.from })),
  }
}
