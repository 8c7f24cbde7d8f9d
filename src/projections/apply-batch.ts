import { sql, type Transaction } from 'kysely'
import type { StoredEvent } from '../events/envelope.ts'
import type { Database } from '../database/schema.ts'
import type { AnyRowProjection, Projection } from './projection.ts'
import { gateByVersion, type Conflict, type StreamVersion } from './version-gate.ts'

export type BatchOutcome = Readonly<{ applied: number; skipped: number; duplicates: number; conflicts: readonly Conflict[] }>

export const streamOf = (e: StoredEvent): string => `${e.aggregateType}:${e.meta.aggregateId}`

/**
 * Applies one partition's batch to one projection inside the caller's transaction, together
 * with the checkpoint: exactly-once effect in Postgres, whatever Kafka redelivers.
 * The checkpoint row is locked first, so two runners that briefly overlap during a rebalance
 * serialize here and the second one skips what the first applied.
 */
export async function applyBatch(tx: Transaction<Database>, projection: Projection, topic: string, partition: number, events: readonly StoredEvent[]): Promise<BatchOutcome> {
  if (events.length === 0) return { applied: 0, skipped: 0, duplicates: 0, conflicts: [] }
  const from = await lockCheckpoint(tx, projection.name, topic, partition)
  const fresh = events.filter((e) => BigInt(e.position.offset) >= from)
  const lastOffset = BigInt(events[events.length - 1]!.position.offset)

  if (fresh.length > 0) {
    const outcome = await applyGated(tx, projection, topic, partition, fresh, { recordGaps: true })
    await writeCheckpoint(tx, projection.name, topic, partition, lastOffset + 1n)
    return { ...outcome, skipped: events.length - fresh.length }
  }
  if (lastOffset + 1n > from) await writeCheckpoint(tx, projection.name, topic, partition, lastOffset + 1n)
  return { applied: 0, skipped: events.length, duplicates: 0, conflicts: [] }
}

/**
 * Re-delivers events of one partition outside the consumer's flow (replay): the version gate
 * alone decides what applies, so replaying twice changes nothing. The checkpoint row is locked,
 * so a live batch of the same partition waits, but not moved. A version beyond the next one is
 * not recorded as a gap: the live runner has simply not reached that stream yet.
 */
export async function replayBatch(tx: Transaction<Database>, projection: Projection, topic: string, partition: number, events: readonly StoredEvent[]): Promise<BatchOutcome> {
  if (events.length === 0) return { applied: 0, skipped: 0, duplicates: 0, conflicts: [] }
  await tx.insertInto('projection_checkpoints').values({ projection: projection.name, topic, partition, next_offset: 0, updated_at: sql<Date>`now()` })
    .onConflict((oc) => oc.columns(['projection', 'topic', 'partition']).doNothing()).execute()
  await lockCheckpoint(tx, projection.name, topic, partition)
  const outcome = await applyGated(tx, projection, topic, partition, events, { recordGaps: false })
  if (outcome.applied > 0) await sql`select pg_notify('agentfleet_projection', ${projection.name})`.execute(tx)
  return outcome
}

async function lockCheckpoint(tx: Transaction<Database>, projection: string, topic: string, partition: number): Promise<bigint> {
  const checkpoint = await tx.selectFrom('projection_checkpoints').select('next_offset')
    .where('projection', '=', projection).where('topic', '=', topic).where('partition', '=', partition)
    .forUpdate().executeTakeFirst()
  return BigInt(checkpoint?.next_offset ?? 0)
}

/** Version gate, projection writes, stream versions and conflicts for already offset-filtered events. */
async function applyGated(tx: Transaction<Database>, projection: Projection, topic: string, partition: number, fresh: readonly StoredEvent[], options: { recordGaps: boolean }): Promise<BatchOutcome> {
  const streams = [...new Set(fresh.map(streamOf))]
  const rows = await tx.selectFrom('projection_stream_versions').select(['stream', 'version', 'event_id'])
    .where('projection', '=', projection.name).where('stream', 'in', streams).execute()
  const known = new Map<string, StreamVersion>(rows.map((r) => [r.stream, { version: r.version, eventId: r.event_id }]))
  const gate = gateByVersion(fresh, streamOf, known)

  const accepted = gate.accepted.map((a) => a.event)
  if (accepted.length > 0) {
    if (projection.kind === 'row') await applyRows(tx, projection, accepted)
    else await projection.apply(tx, accepted)
    await tx.insertInto('projection_stream_versions')
      .values([...gate.versions].map(([stream, v]) => ({ projection: projection.name, stream, version: v.version, event_id: v.eventId })))
      .onConflict((oc) => oc.columns(['projection', 'stream']).doUpdateSet((eb) => ({ version: eb.ref('excluded.version'), event_id: eb.ref('excluded.event_id') })))
      .execute()
  }
  const conflicts = options.recordGaps ? gate.conflicts : gate.conflicts.filter((c) => c.kind !== 'gap')
  if (conflicts.length > 0) {
    await tx.insertInto('event_conflicts').values(conflicts.map((c) => ({
      projection: projection.name, stream: c.stream, kind: c.kind, event_id: c.event.meta.eventId, event_type: c.event.type,
      version: c.event.meta.version, expected_version: c.expected, topic, partition, offset: Number(c.event.position.offset),
    }))).onConflict((oc) => oc.columns(['projection', 'event_id']).doNothing()).execute()
  }
  return { applied: accepted.length, skipped: 0, duplicates: gate.duplicates + gate.conflicts.length - conflicts.length, conflicts }
}

async function writeCheckpoint(tx: Transaction<Database>, projection: string, topic: string, partition: number, next: bigint): Promise<void> {
  await tx.insertInto('projection_checkpoints')
    .values({ projection, topic, partition, next_offset: Number(next), updated_at: sql<Date>`now()` })
    .onConflict((oc) => oc.columns(['projection', 'topic', 'partition']).doUpdateSet({ next_offset: Number(next), updated_at: sql<Date>`now()` }))
    .execute()
  // Readers waiting for read-your-writes wake up on commit.
  await sql`select pg_notify('agentfleet_projection', ${projection})`.execute(tx)
}

const maxParameters = 60_000

/** Loads the batch's rows in one query, folds the events in memory, writes back in one upsert. */
async function applyRows(tx: Transaction<Database>, projection: AnyRowProjection, events: readonly StoredEvent[]): Promise<void> {
  const keys = [...new Set(events.map(projection.keyOf))]
  const table = projection.table
  // biome-ignore lint: the table is chosen at runtime; rows are typed by the projection
  const anyTx = tx as unknown as Transaction<any>
  const existing = await anyTx.selectFrom(table).selectAll().where(projection.key, 'in', keys).execute()
  const rows = new Map<string, Record<string, unknown> | undefined>(existing.map((r) => [String(r[projection.key]), r]))
  const touched = new Set<string>()
  for (const event of events) {
    const key = projection.keyOf(event)
    rows.set(key, projection.project(rows.get(key), event))
    touched.add(key)
  }
  const upserts = [...touched].map((k) => rows.get(k)).filter((r): r is Record<string, unknown> => r !== undefined).map((r) => toSqlValues(r, projection.jsonColumns))
  const deletes = [...touched].filter((k) => rows.get(k) === undefined)
  if (upserts.length > 0) {
    const columns = Object.keys(upserts[0]!).filter((c) => c !== projection.key)
    // Postgres takes at most 65,535 parameters per statement: wide rows go in several upserts.
    const perStatement = Math.max(1, Math.floor(maxParameters / (columns.length + 1)))
    for (let i = 0; i < upserts.length; i += perStatement) {
      await anyTx.insertInto(table).values(upserts.slice(i, i + perStatement))
        .onConflict((oc) => oc.column(projection.key).doUpdateSet(Object.fromEntries(columns.map((c) => [c, sql.ref(`excluded.${c}`)]))))
        .execute()
    }
  }
  if (deletes.length > 0) await anyTx.deleteFrom(table).where(projection.key, 'in', deletes).execute()
}

/** node-pg sends JS arrays as Postgres arrays; jsonb columns get JSON text instead. */
function toSqlValues(row: Record<string, unknown>, jsonColumns: readonly string[]): Record<string, unknown> {
  const out = { ...row }
  for (const c of jsonColumns) out[c] = JSON.stringify(row[c] ?? null)
  return out
}
