import type { Admin } from 'kafkajs'
import { eventTopic } from '../events/topics.ts'
import type { Db } from '../infra/postgres.ts'
import { streamGroupPrefix } from '../stream/event-tail.ts'
import { topicOffsets } from '../infra/topic-offsets.ts'

export type PartitionLag = Readonly<{ topic: string; partition: number; position: number; end: number; lag: number }>
/**
 * `lag` is null and `problem` says why when a checkpoint lies past its partition's end: the read
 * model was built from another log, and new events would be skipped — never a lag of 0.
 */
export type ProjectionLag = Readonly<{
  projection: string
  group: string
  lag: number | null
  problem: string | null
  partitions: readonly PartitionLag[]
}>
export type GroupLag = Readonly<{ group: string; lag: number; partitions: readonly PartitionLag[] }>
export type LagReport = Readonly<{ collectedAt: string; projections: readonly ProjectionLag[]; groups: readonly GroupLag[] }>

/** Where a projection runs: its projector group's checkpoints are its position. */
export type ProjectionPlacement = Readonly<{ name: string; aggregates: readonly string[]; group: string }>

export type LagDeps = Readonly<{ admin: Admin; db: Db; topicPrefix: string; projections: readonly ProjectionPlacement[] }>

type Ends = (topic: string) => Promise<ReadonlyMap<number, { low: number; high: number }>>

/** End offsets per topic, fetched once per collection. */
const endOffsets = (admin: Admin): Ends => {
  const cache = new Map<string, Promise<Map<number, { low: number; high: number }>>>()
  return (topic) => {
    let got = cache.get(topic)
    if (!got) {
      got = topicOffsets(admin, topic)
        .then((os) => new Map(os.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }])))
        .catch(() => new Map())
      cache.set(topic, got)
    }
    return got
  }
}

const sum = (parts: readonly PartitionLag[]): number => parts.reduce((s, p) => s + p.lag, 0)

/** Projection lag: the Postgres checkpoints of each projection's group (its real position) against the log end. */
async function projectionLags(deps: LagDeps, ends: Ends): Promise<ProjectionLag[]> {
  const rows = await deps.db.selectFrom('projector_checkpoints').select(['consumer', 'topic', 'partition', 'next_offset']).execute()
  const checkpoint = new Map(rows.map((r) => [`${r.consumer}|${r.topic}|${r.partition}`, r.next_offset]))
  return Promise.all(
    deps.projections.map(async (p) => {
      const partitions: PartitionLag[] = []
      for (const aggregate of p.aggregates) {
        const topic = eventTopic(deps.topicPrefix, aggregate)
        for (const [partition, { high }] of await ends(topic)) {
          const position = checkpoint.get(`${p.group}|${topic}|${partition}`) ?? 0
          partitions.push({ topic, partition, position, end: high, lag: Math.max(0, high - position) })
        }
      }
      const past = partitions.filter((x) => x.position > x.end)
      const problem =
        past.length === 0
          ? null
          : `checkpoint past the log end on ${past.map((x) => `${x.topic}[${x.partition}] (${x.position} > ${x.end})`).join(', ')}: run \`agentfleet reset --group ${p.group} --yes\``
      return { projection: p.name, group: p.group, lag: problem ? null : sum(partitions), problem, partitions }
    }),
  )
}

/**
 * Consumer lag of every group under the topic prefix (projections, reactors, workers), from
 * the offsets they committed. Stream tail groups never commit and are left out.
 */
async function groupLags(deps: LagDeps, ends: Ends): Promise<GroupLag[]> {
  const { groups } = await deps.admin.listGroups()
  const ours = groups
    .map((g) => g.groupId)
    .filter((g) => g.startsWith(`${deps.topicPrefix}.`) && !g.startsWith(streamGroupPrefix(deps.topicPrefix)))
    .sort()
  return Promise.all(
    ours.map(async (group) => {
      const committed = await deps.admin.fetchOffsets({ groupId: group })
      const partitions: PartitionLag[] = []
      for (const t of committed) {
        const offsets = await ends(t.topic)
        for (const p of t.partitions) {
          const end = offsets.get(p.partition)
          if (!end) continue
          const position = Number(p.offset) < 0 ? end.low : Number(p.offset)
          partitions.push({ topic: t.topic, partition: p.partition, position, end: end.high, lag: Math.max(0, end.high - position) })
        }
      }
      return { group, lag: sum(partitions), partitions }
    }),
  )
}

export async function collectLag(deps: LagDeps, now: Date): Promise<LagReport> {
  const ends = endOffsets(deps.admin)
  const [projections, groups] = await Promise.all([projectionLags(deps, ends), groupLags(deps, ends)])
  return { collectedAt: now.toISOString(), projections, groups }
}
