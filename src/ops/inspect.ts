import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { headers as eventHeaders } from '../events/envelope.ts'
import { readLog, type LogReader, type LogReaderDeps } from '../eventstore/log-reader.ts'
import { assertTopicsExist, resolveRanges, resolveTopicName, type RangeOptions } from './log-range.ts'
import { createRecordDecoder, type InspectedRecord } from './record-decoder.ts'

export type InspectOptions = RangeOptions &
  Readonly<{
    aggregateId?: string
    types?: readonly string[]
    limit?: number
    raw?: boolean
  }>

export type InspectDeps = LogReaderDeps & Readonly<{ registry: SchemaRegistry }>

/**
 * Dumps (or follows) one topic as decoded records, in log order per partition. Without
 * `follow` it ends at the end offsets captured at start; `signal` ends a follow.
 */
export async function inspectTopic(
  deps: InspectDeps,
  topicName: string,
  o: InspectOptions,
  emit: (r: InspectedRecord) => void,
  signal?: AbortSignal,
): Promise<{ topic: string; printed: number }> {
  const topic = resolveTopicName(deps.topicPrefix, topicName)
  await assertTopicsExist(deps.admin, [topic])
  const ranges = await resolveRanges(deps.admin, [topic], o)
  const decode = createRecordDecoder(deps.registry)
  const types = o.types && o.types.length > 0 ? new Set(o.types) : undefined
  const fromMs = o.from?.getTime() ?? -Infinity
  const toMs = o.to?.getTime() ?? Infinity
  let printed = 0
  let reader: LogReader | undefined
  const full = () => o.limit !== undefined && printed >= o.limit
  // One partition at a time when a limit applies, so "the first N" are whole partitions in log order.
  reader = await readLog(
    deps,
    ranges,
    async ({ topic: t, partition, messages }) => {
      for (const m of messages) {
        if (full()) break
        if (o.aggregateId !== undefined && m.key?.toString() !== o.aggregateId) continue
        const ts = Number(m.timestamp)
        if (ts < fromMs || ts > toMs) continue
        const headerType = m.headers?.[eventHeaders.eventType]?.toString()
        if (types && headerType !== undefined && !types.has(headerType)) continue
        const record = await decode(t, partition, m, o.raw ?? false)
        if (types && !types.has(record.type ?? '')) continue
        printed++
        emit(record)
      }
      if (full()) void reader?.stop()
    },
    { label: 'inspect', concurrency: o.limit !== undefined ? 1 : 4 },
  )
  if (full()) await reader.stop()
  const onAbort = () => void reader.stop()
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    await reader.done
  } finally {
    signal?.removeEventListener('abort', onAbort)
    await reader.stop()
  }
  return { topic, printed }
}
