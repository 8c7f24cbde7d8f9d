import type { Admin, Kafka, KafkaMessage } from 'kafkajs'
import { AppError } from '../errors.ts'
import type { EventCodec } from '../events/avro-codec.ts'
import type { StoredEvent } from '../events/envelope.ts'
import { eventTopic } from '../events/topics.ts'
import type { Db } from '../infra/postgres.ts'
import type { Logger } from '../infra/logger.ts'
import type { React } from '../reactors/reactor.ts'
import { replayable, replayToProjection } from '../projections/replay-gate.ts'
import type { Projection } from '../projections/projection.ts'
import { readLog } from '../eventstore/log-reader.ts'
import { assertTopicsExist, rangeSize, resolveRanges, resolveTopicName, type RangeOptions } from './log-range.ts'

export type ReplayDeps = Readonly<{ kafka: Kafka; admin: Admin; db: Db; codec: EventCodec; logger: Logger; topicPrefix: string }>

export type ReplayRange = RangeOptions & Readonly<{ topic?: string; aggregateId?: string }>

/** Where replayed events go: one projection (version-gated) or one reactor's reaction. */
export type ReplayTarget =
  | Readonly<{ kind: 'projection'; projection: Projection }>
  | Readonly<{ kind: 'reactor'; name: string; aggregates: Projection['aggregates']; react: React }>

export type ReplayReport = Readonly<{
  target: string
  read: number
  delivered: number
  applied: number
  duplicates: number
  refused: number
  conflicts: number
}>

/** The target's topics, narrowed to `--topic` (which must be one of them). */
async function targetTopics(deps: ReplayDeps, target: ReplayTarget, topic: string | undefined): Promise<string[]> {
  const aggregates = target.kind === 'projection' ? target.projection.aggregates : target.aggregates
  const own = aggregates.map((a) => eventTopic(deps.topicPrefix, a))
  if (topic === undefined) return own
  const wanted = resolveTopicName(deps.topicPrefix, topic)
  if (!own.includes(wanted))
    throw new AppError(
      'replay.foreign-topic',
      `${wanted} is not read by ${target.kind === 'projection' ? target.projection.name : target.name} (reads ${own.join(', ')})`,
    )
  return [wanted]
}

/**
 * Re-delivers a range of the log to one target and to nothing else. A projection gets the
 * events through a version gate kept by its own rows (replaying twice changes nothing, a lost row
 * is folded again; projections without per-stream rows are rebuilt instead);
 * a reactor gets them one by one, in log order per partition (reactions are idempotent).
 */
export async function replay(
  deps: ReplayDeps,
  target: ReplayTarget,
  range: ReplayRange,
  onProgress?: (done: number, total: number) => void,
): Promise<ReplayReport> {
  if (target.kind === 'projection' && !replayable(target.projection)) {
    throw new AppError(
      'replay.not-replayable',
      `${target.projection.name} keeps no per-stream version in its tables, so a replay cannot tell what it holds; rebuild it instead: agentfleet rebuild ${target.projection.name}`,
    )
  }
  const topics = await targetTopics(deps, target, range.topic)
  await assertTopicsExist(deps.admin, topics)
  const ranges = await resolveRanges(deps.admin, topics, { ...range, follow: false })
  const total = rangeSize(ranges)
  const fromMs = range.from?.getTime() ?? -Infinity
  const toMs = range.to?.getTime() ?? Infinity
  const counts = { read: 0, delivered: 0, applied: 0, duplicates: 0, refused: 0, conflicts: 0 }
  const wanted = (m: KafkaMessage) =>
    (range.aggregateId === undefined || m.key?.toString() === range.aggregateId) &&
    Number(m.timestamp) >= fromMs &&
    Number(m.timestamp) <= toMs

  const reader = await readLog(
    deps,
    ranges,
    async ({ topic, partition, messages }) => {
      const events: StoredEvent[] = await deps.codec.decodeAll(messages.filter(wanted), topic, partition)
      const selected = events.filter((e) => range.aggregateId === undefined || e.meta.aggregateId === range.aggregateId)
      if (target.kind === 'projection') {
        const outcome = await deps.db.transaction().execute((tx) => replayToProjection(tx, target.projection, selected))
        counts.applied += outcome.applied
        counts.duplicates += outcome.duplicates
        counts.conflicts += outcome.gaps
      } else {
        for (const event of selected) {
          try {
            // One event at a time: log order exactly, and each refusal counted.
            await target.react([event])
            counts.applied++
          } catch (error) {
            if (!(error instanceof AppError) || error.retriable) throw error
            deps.logger.debug(
              { code: error.code, eventType: event.type, aggregateId: event.meta.aggregateId },
              'reaction refused by the domain; skipped',
            )
            counts.refused++
          }
        }
      }
      counts.read += messages.length
      counts.delivered += selected.length
      onProgress?.(counts.read, total)
    },
    { label: 'replay' },
  )
  try {
    await reader.done
  } finally {
    await reader.stop()
  }
  return { target: target.kind === 'projection' ? `projection ${target.projection.name}` : `reactor ${target.name}`, ...counts }
}
