import type { Admin, Kafka } from 'kafkajs'
import { newId } from '../../infra/ids.ts'
import type { Config } from '../../config.ts'
import { AppError } from '../../errors.ts'
import type { EventCodec } from '../../events/avro-codec.ts'
import { eventTopic } from '../../events/topics.ts'
import type { Db } from '../../infra/postgres.ts'
import type { Logger } from '../../infra/logger.ts'
import { pollUntil } from '../../infra/retry.ts'
import { readLog, watermarks } from '../../eventstore/log-reader.ts'
import { ensureCheckpointRows, readCheckpoints } from '../checkpoints.ts'
import { applyToGroup } from '../group-apply.ts'
import { createHeadsCache } from '../stream-heads.ts'
import { ownedTables, type Projection } from '../projection.ts'
import { createApplyGate } from './apply-gate.ts'
import { compareShadow, type TableDiff } from './compare.ts'
import { createShadow, deferSecondaryIndexes, dropSchema, lockGroupCheckpoints, shadowSchemaName } from './shadow-schema.ts'
import { swapTables } from './swap.ts'

export type RebuildDeps = Readonly<{
  kafka: Kafka
  admin: Admin
  db: Db
  codec: EventCodec
  logger: Logger
  config: Pick<Config, 'postgres' | 'kafka'>
}>

/** The consumer name of the shadow's own bookkeeping (checkpoints and heads inside the shadow schema). */
const shadowConsumer = 'rebuild'

export type RebuildOptions = Readonly<{
  dryRun?: boolean
  keepOld?: boolean
  onProgress?: (done: number, total: number) => void
  /** longest wait for the shadow to reach the live position while the live projector is held (default 60 s) */
  catchUpTimeoutMs?: number
}>

export type RebuildReport = Readonly<{
  projection: string
  shadowSchema: string
  /** events in the log when the rebuild started, and the time to fold them into the shadow */
  initialEvents: number
  initialMs: number
  eventsPerSecond: number
  /** every event applied to the shadow, including those that arrived during the rebuild */
  appliedEvents: number
  /** how long the live projector waited on the swap lock */
  lockedMs: number
  swapped: boolean
  /** the schema holding the replaced tables (`--keep-old`) */
  oldSchema?: string
  diff?: readonly TableDiff[]
  /** partitions where the live projector was behind the shadow at the swap (dry-run diffs include that lag) */
  liveBehind: number
}>

const keyOf = (topic: string, partition: number) => `${topic}:${partition}`

/**
 * Blue/green rebuild of one projection: fold its topics from offset 0 into a fresh shadow
 * schema while the live read model serves and the live projector runs; then, holding the live
 * checkpoint locks, bring the shadow to exactly the live position and swap the tables in one
 * transaction. `dryRun` compares instead of swapping, then drops the shadow.
 */
export async function rebuildProjection(
  deps: RebuildDeps,
  group: string,
  projection: Projection,
  options: RebuildOptions = {},
): Promise<RebuildReport> {
  const live = deps.config.postgres.schema
  const stamp = newId().slice(-6)
  const shadow = shadowSchemaName(live, projection.name, stamp)
  const old = shadowSchemaName(live, projection.name, stamp, 'old')
  const log = deps.logger.child({ rebuild: projection.name, shadow })
  const topics = projection.aggregates.map((a) => eventTopic(deps.config.kafka.topicPrefix, a))
  const shadowDb = await createShadow(deps.config, shadow)
  // Rows load faster without secondary indexes (GIN and trigram above all); built once, at the end.
  const buildIndexes = await deferSecondaryIndexes(shadowDb, shadow, ownedTables(projection))
  // Every stream is read from its first event: the heads live in memory, never in the shadow.
  const heads = createHeadsCache(Infinity)
  let swapped = false
  try {
    const marks = await watermarks(deps.admin, topics)
    await ensureCheckpointRows(deps.db, group, marks)
    const initialEvents = marks.reduce((n, m) => n + m.high, 0)
    const position = new Map<string, number>()
    const caps = new Map<string, number>()
    const gate = createApplyGate()
    let finished = false
    let applied = 0
    let readerError: unknown
    const startedAt = Date.now()
    // A dry run compares with the live read model as it is: the shadow never passes the live
    // position, so lag does not show up as a difference.
    const followLive = async () => {
      const rows = (await readCheckpoints(deps.db, group)).filter((r) => topics.includes(r.topic))
      for (const r of rows) caps.set(keyOf(r.topic, r.partition), Math.max(caps.get(keyOf(r.topic, r.partition)) ?? 0, r.next_offset))
    }
    if (options.dryRun) await followLive()
    const follower = options.dryRun
      ? setInterval(() => {
          followLive().catch((error) => log.warn({ err: error }, 'could not read live checkpoints'))
        }, 100)
      : undefined

    const reader = await readLog(
      { ...deps, topicPrefix: deps.config.kafka.topicPrefix },
      marks.map((m) => ({ topic: m.topic, partition: m.partition, from: 0 })),
      async ({ topic, partition, messages }) => {
        await gate.enter()
        try {
          if (finished) return
          const taken = messages
          const events = await deps.codec.decodeAll(taken, topic, partition)
          const outcome = await shadowDb
            .transaction()
            .execute((tx) =>
              applyToGroup(
                tx,
                { consumer: shadowConsumer, projections: [projection] },
                [{ topic, partition, events, nextOffset: Number(taken[taken.length - 1]!.offset) + 1 }],
                heads,
                { bookkeeping: 'memory' },
              ),
            )
          heads.remember(outcome.heads)
          position.set(keyOf(topic, partition), Number(taken[taken.length - 1]!.offset) + 1)
          applied += taken.length
          options.onProgress?.(applied, Math.max(initialEvents, applied))
        } finally {
          gate.leave()
        }
      },
      { label: `rebuild.${projection.name}`, limitOf: (topic, partition) => caps.get(keyOf(topic, partition)) },
    )
    reader.done.catch((error) => {
      readerError = error
    })

    const reached = async (targets: ReadonlyMap<string, number>, timeoutMs: number): Promise<boolean> => {
      const there = async () => {
        if (readerError) throw readerError
        return [...targets].every(([k, t]) => (position.get(k) ?? 0) >= t) || undefined
      }
      return (await pollUntil(there, { timeoutMs, minMs: 10, maxMs: 50 })) ?? false
    }

    try {
      const startTargets = new Map(
        marks.map((m) => [keyOf(m.topic, m.partition), Math.min(m.high, caps.get(keyOf(m.topic, m.partition)) ?? Infinity)]),
      )
      await reached(startTargets, Infinity)
      await buildIndexes()
      // The figure includes building the indexes: it is how long a rebuild of this log takes.
      const initialMs = Date.now() - startedAt
      const eventsPerSecond = Math.round(applied / Math.max(initialMs / 1000, 0.001))
      log.info({ events: applied, ms: initialMs, eventsPerSecond }, 'shadow reached the start-time log end')
      // Catch up with what arrived meanwhile, so the live projector is held only briefly.
      const now = await watermarks(deps.admin, topics)
      await reached(
        new Map(now.map((m) => [keyOf(m.topic, m.partition), Math.min(m.high, caps.get(keyOf(m.topic, m.partition)) ?? Infinity)])),
        options.catchUpTimeoutMs ?? 60_000,
      )
      clearInterval(follower)

      const outcome = await deps.db.transaction().execute(async (tx) => {
        const livePositions = await lockGroupCheckpoints(tx, live, group, marks)
        const lockedAt = Date.now()
        clearInterval(follower)
        for (const [k, v] of livePositions) caps.set(k, Math.max(v, position.get(k) ?? 0))
        if (!(await reached(livePositions, options.catchUpTimeoutMs ?? 60_000))) {
          throw new AppError(
            'rebuild.catch-up-timeout',
            `the shadow of ${projection.name} did not reach the live position in time; nothing was swapped`,
            { retriable: true },
          )
        }
        await gate.close()
        finished = true
        gate.open()
        const liveBehind = [...livePositions].filter(([k, v]) => (position.get(k) ?? 0) > v).length
        if (options.dryRun) {
          const diff = await compareShadow(tx, live, shadow, ownedTables(projection))
          return { diff, liveBehind, lockedMs: Date.now() - lockedAt }
        }
        await swapTables(tx, { tables: ownedTables(projection), live, shadow, old })
        return { diff: undefined, liveBehind, lockedMs: Date.now() - lockedAt }
      })
      swapped = !options.dryRun
      log.info({ swapped, lockedMs: outcome.lockedMs }, options.dryRun ? 'dry run compared' : 'swapped')
      return {
        projection: projection.name,
        shadowSchema: shadow,
        initialEvents,
        initialMs,
        eventsPerSecond,
        appliedEvents: applied,
        lockedMs: outcome.lockedMs,
        swapped,
        oldSchema: swapped && options.keepOld ? old : undefined,
        diff: outcome.diff,
        liveBehind: outcome.liveBehind,
      }
    } finally {
      clearInterval(follower)
      finished = true
      gate.open()
      await reader.stop()
    }
  } finally {
    await shadowDb.destroy()
    await dropSchema(deps.db, shadow)
    if (swapped && !options.keepOld) await dropSchema(deps.db, old)
  }
}
