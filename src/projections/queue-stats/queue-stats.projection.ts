import { sql, type Transaction } from 'kysely'
import type { TaskStatus } from '../../commands/task/task.lifecycle.ts'
import type { StoredEvent } from '../../events/envelope.ts'
import type { Database } from '../../database/schema.ts'
import type { SqlProjection } from '../projection.ts'
import { toDense } from './histogram.ts'
import { counterFields, createBatchDeltas, type CounterDelta, type MinuteDelta } from './queue-stats.deltas.ts'
import { stepQueueStats, type StatsTask } from './queue-stats.step.ts'

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())
const epoch = (d: Date | null): number | null => (d === null ? null : d.getTime())

/**
 * Queue statistics per pool and priority. Each batch costs five statements whatever its size:
 * load the batch's tasks, fold the events in memory, then upsert the tasks, delete finished ones,
 * add the counter deltas and add the per-minute rows. Counters and minutes are additive upserts,
 * so partitions applied concurrently (or in any order) sum to the same totals; the runner's
 * version gate makes each event count once.
 */
export async function applyQueueStats(tx: Transaction<Database>, events: readonly StoredEvent[]): Promise<void> {
  const ids = [...new Set(events.map((e) => e.meta.aggregateId))]
  // One array parameter instead of one per id: cheaper to plan for batches of thousands.
  const existing = await tx.selectFrom('queue_stats_tasks').selectAll().where(sql<boolean>`task_id = any(${ids}::text[])`).execute()
  const tasks = new Map<string, StatsTask | undefined>(
    existing.map((r) => [
      r.task_id,
      {
        task_id: r.task_id,
        pool: r.pool,
        priority: r.priority,
        status: r.status as TaskStatus,
        queued_at: epoch(r.queued_at),
        started_at: epoch(r.started_at),
      },
    ]),
  )
  const deltas = createBatchDeltas()
  for (const event of events) tasks.set(event.meta.aggregateId, stepQueueStats(tasks.get(event.meta.aggregateId), event, deltas))

  const kept = ids.map((id) => tasks.get(id)).filter((t): t is StatsTask => t !== undefined)
  const gone = ids.filter((id) => tasks.get(id) === undefined)
  if (kept.length > 0) await upsertTasks(tx, kept)
  if (gone.length > 0) await tx.deleteFrom('queue_stats_tasks').where(sql<boolean>`task_id = any(${gone}::text[])`).execute()
  const counters = deltas.counters()
  if (counters.length > 0) await addCounters(tx, counters)
  const minutes = deltas.minutes()
  if (minutes.length > 0) await addMinutes(tx, minutes)
}

/** Column arrays through unnest: one statement and a fixed number of parameters for any batch size. */
async function upsertTasks(tx: Transaction<Database>, rows: readonly StatsTask[]): Promise<void> {
  await sql`
    insert into queue_stats_tasks (task_id, pool, priority, status, queued_at, started_at)
    select * from unnest(${rows.map((r) => r.task_id)}::text[], ${rows.map((r) => r.pool)}::text[], ${rows.map((r) => r.priority)}::text[],
      ${rows.map((r) => r.status)}::text[], ${rows.map((r) => iso(r.queued_at))}::timestamptz[], ${rows.map((r) => iso(r.started_at))}::timestamptz[])
    on conflict (task_id) do update set pool = excluded.pool, priority = excluded.priority, status = excluded.status,
      queued_at = excluded.queued_at, started_at = excluded.started_at`.execute(tx)
}

async function addCounters(tx: Transaction<Database>, rows: readonly CounterDelta[]): Promise<void> {
  const columns = sql.join(counterFields.map((f) => sql.ref(f)))
  const arrays = sql.join(counterFields.map((f) => sql`${rows.map((r) => r[f])}::bigint[]`))
  const sums = sql.join(counterFields.map((f) => sql`${sql.ref(f)} = queue_stats_counters.${sql.ref(f)} + excluded.${sql.ref(f)}`))
  await sql`
    insert into queue_stats_counters (pool, priority, ${columns})
    select * from unnest(${rows.map((r) => r.pool)}::text[], ${rows.map((r) => r.priority)}::text[], ${arrays})
    on conflict (pool, priority) do update set ${sums}`.execute(tx)
}

/** Elementwise sum of two equally long int[] histograms. */
const addBuckets = (column: string) => sql<number[]>`(select array_agg(coalesce(x, 0) + coalesce(y, 0) order by i)
  from unnest(queue_stats_minutes.${sql.ref(column)}, excluded.${sql.ref(column)}) with ordinality as u(x, y, i))`

async function addMinutes(tx: Transaction<Database>, rows: readonly MinuteDelta[]): Promise<void> {
  const values = rows.map((r) => ({
    pool: r.pool,
    priority: r.priority,
    minute: new Date(r.minute),
    completed: r.completed,
    failed: r.failed,
    finished: r.finished,
    wait_count: r.wait_count,
    wait_sum_ms: r.wait_sum_ms,
    wait_buckets: toDense(r.wait),
    exec_count: r.exec_count,
    exec_sum_ms: r.exec_sum_ms,
    exec_buckets: toDense(r.exec),
  }))
  const add = (c: 'completed' | 'failed' | 'finished' | 'wait_count' | 'wait_sum_ms' | 'exec_count' | 'exec_sum_ms') =>
    sql<number>`queue_stats_minutes.${sql.ref(c)} + excluded.${sql.ref(c)}`
  // A few rows per batch (pools × priorities × minutes touched), so plain VALUES are fine.
  for (let i = 0; i < values.length; i += 2_000) {
    await tx
      .insertInto('queue_stats_minutes')
      .values(values.slice(i, i + 2_000))
      .onConflict((oc) =>
        oc.columns(['pool', 'priority', 'minute']).doUpdateSet({
          completed: add('completed'),
          failed: add('failed'),
          finished: add('finished'),
          wait_count: add('wait_count'),
          wait_sum_ms: add('wait_sum_ms'),
          wait_buckets: addBuckets('wait_buckets'),
          exec_count: add('exec_count'),
          exec_sum_ms: add('exec_sum_ms'),
          exec_buckets: addBuckets('exec_buckets'),
        }),
      )
      .execute()
  }
}

export const queueStatsProjection: SqlProjection = {
  kind: 'sql',
  name: 'queue-stats',
  aggregates: ['task'],
  tables: ['queue_stats_tasks', 'queue_stats_counters', 'queue_stats_minutes'],
  apply: applyQueueStats,
}
