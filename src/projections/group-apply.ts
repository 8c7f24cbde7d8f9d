import { sql, type Transaction } from 'kysely'
import type { Database } from '../database/schema.ts'
import type { StoredEvent } from '../events/envelope.ts'
import { lockCheckpoints, partitionKey, writeCheckpoints, type TopicPartition } from './checkpoints.ts'
import { eventsFor, streamOf, type Projection } from './projection.ts'
import { applyRows } from './row-writer.ts'
import { loadStreamHeads, writeStreamHeads, type HeadsCache } from './stream-heads.ts'
import { gateByVersion, type Conflict, type StreamVersion } from './version-gate.ts'

/** One partition's share of a unit of work: decoded events in offset order, and where the batch ends. */
export type PartitionEvents = Readonly<{ topic: string; partition: number; events: readonly StoredEvent[]; nextOffset: number }>

export type ProjectorGroup = Readonly<{ consumer: string; projections: readonly Projection[] }>

export type GroupOutcome = Readonly<{
  applied: number
  /** below the checkpoint: applied by an earlier transaction */
  skipped: number
  /** redeliveries the version gate held back */
  duplicates: number
  conflicts: readonly Conflict[]
  /** stream heads this transaction wrote (the runner's cache takes them after commit) */
  heads: ReadonlyMap<string, StreamVersion>
}>

/**
 * Applies batches of any number of partitions to every projection of a group inside the
 * caller's transaction, together with the group's checkpoints and stream heads: exactly-once
 * effect in Postgres whatever Kafka redelivers. Each event is decoded once and gated once for
 * the whole group; each projection writes set-based, a handful of statements per unit of work.
 */
export type ApplyOptions = Readonly<{
  /** channel to notify after the unit (waiting reads) */
  notify?: string
  /**
   * 'memory': positions and stream heads are the caller's (a rebuild reads every partition from
   * offset 0 into a fresh schema, so it has seen every stream's head): nothing is read or written
   * for them, and the heads cache must never forget.
   */
  bookkeeping?: 'database' | 'memory'
}>

export async function applyToGroup(
  tx: Transaction<Database>,
  group: ProjectorGroup,
  batches: readonly PartitionEvents[],
  cache?: HeadsCache,
  options: ApplyOptions = {},
): Promise<GroupOutcome> {
  const partitions: TopicPartition[] = batches.map((b) => ({ topic: b.topic, partition: b.partition }))
  if (partitions.length === 0) return { applied: 0, skipped: 0, duplicates: 0, conflicts: [], heads: new Map() }
  const inMemory = options.bookkeeping === 'memory'
  const from = inMemory ? new Map<string, number>() : await lockCheckpoints(tx, group.consumer, partitions)
  const fresh: StoredEvent[] = []
  const next = new Map<string, TopicPartition & { offset: number }>()
  let skipped = 0
  for (const b of batches) {
    const key = partitionKey(b.topic, b.partition)
    const start = from.get(key) ?? 0
    for (const e of b.events) {
      if (Number(e.position.offset) >= start) fresh.push(e)
      else skipped++
    }
    if (b.nextOffset > start)
      next.set(key, { topic: b.topic, partition: b.partition, offset: Math.max(b.nextOffset, next.get(key)?.offset ?? 0) })
  }

  let outcome: Omit<GroupOutcome, 'skipped'> = { applied: 0, duplicates: 0, conflicts: [], heads: new Map() }
  if (fresh.length > 0) {
    const streams = [...new Set(fresh.map(streamOf))]
    const known = new Map<string, StreamVersion>()
    const unknown: string[] = []
    for (const s of streams) {
      const head = cache?.get(s)
      if (head) known.set(s, head)
      else unknown.push(s)
    }
    if (!inMemory) for (const [s, v] of await loadStreamHeads(tx, group.consumer, unknown)) known.set(s, v)
    const gate = gateByVersion(fresh, streamOf, known)
    const accepted = gate.accepted.map((a) => a.event)
    if (accepted.length > 0) {
      for (const projection of group.projections) await applyProjection(tx, projection, eventsFor(projection, accepted))
      if (!inMemory) await writeStreamHeads(tx, group.consumer, gate.versions)
    }
    if (gate.conflicts.length > 0) await recordConflicts(tx, group.consumer, gate.conflicts)
    outcome = { applied: accepted.length, duplicates: gate.duplicates, conflicts: gate.conflicts, heads: gate.versions }
  }
  if (!inMemory) await writeCheckpoints(tx, group.consumer, next)
  // Readers waiting for read-your-writes re-check once this commits.
  if (outcome.applied > 0 && options.notify) await sql`select pg_notify(${options.notify}, ${group.consumer})`.execute(tx)
  return { ...outcome, skipped }
}

export async function applyProjection(tx: Transaction<Database>, projection: Projection, events: readonly StoredEvent[]): Promise<void> {
  if (events.length === 0) return
  if (projection.kind === 'row') await applyRows(tx, projection, events)
  else await projection.apply(tx, events)
}

export async function recordConflicts(tx: Transaction<Database>, consumer: string, conflicts: readonly Conflict[]): Promise<void> {
  if (conflicts.length === 0) return
  await tx
    .insertInto('event_conflicts')
    .values(
      conflicts.map((c) => ({
        consumer,
        stream: c.stream,
        kind: c.kind,
        event_id: c.event.meta.eventId,
        event_type: c.event.type,
        version: c.event.meta.version,
        expected_version: c.expected,
        topic: c.event.position.topic,
        partition: c.event.position.partition,
        offset: Number(c.event.position.offset),
      })),
    )
    .onConflict((oc) => oc.columns(['consumer', 'event_id']).doNothing())
    .execute()
}
