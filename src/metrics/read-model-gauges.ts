import { sql } from 'kysely'
import type { Db } from '../infra/postgres.ts'
import { workersByPoolAndStatus } from '../projections/workers/worker-processes.queries.ts'

export type LabelledCount = Readonly<{ labels: Readonly<Record<string, string>>; value: number }>

export type ReadModelFigures = Readonly<{
  conflicts: readonly LabelledCount[]
  deadLettered: readonly LabelledCount[]
  workers: readonly LabelledCount[]
  /** queued tasks by pool and priority */
  queued: readonly LabelledCount[]
  /** tasks not finished (and dead letters not purged) by pool, priority and status */
  open: readonly LabelledCount[]
  /** agents by pool, status and health */
  agents: readonly LabelledCount[]
  /** agents that heartbeat and can take work (idle or busy), by pool */
  healthyAgents: readonly LabelledCount[]
}>

/** Counts from the read models: event conflicts per group, dead letters, live worker processes, queue depth, tasks in flight and healthy agents. */
export async function collectReadModelFigures(db: Db): Promise<ReadModelFigures> {
  const [conflicts, dead, workers, open, agents] = await Promise.all([
    sql<{ consumer: string; n: number }>`select consumer, count(*)::int as n from event_conflicts group by consumer`.execute(db),
    sql<{ pool: string; n: number }>`
      select pool, count(*)::int as n from tasks where status = 'dead_lettered' and not purged group by pool`.execute(db),
    workersByPoolAndStatus(db),
    sql<{ pool: string; priority: string; status: string; n: number }>`
      select pool, priority, status, count(*)::int as n from tasks
      where status not in ('completed', 'failed', 'cancelled') and not (status = 'dead_lettered' and purged)
      group by pool, priority, status`.execute(db),
    sql<{ pool: string | null; status: string; healthy: boolean; n: number }>`
      select pool, status, healthy, count(*)::int as n from agents
      where status not in ('terminated', 'deregistered') group by pool, status, healthy`.execute(db),
  ])
  return {
    conflicts: conflicts.rows.map((r) => ({ labels: { group: r.consumer }, value: r.n })),
    deadLettered: dead.rows.map((r) => ({ labels: { pool: r.pool }, value: r.n })),
    workers: workers.map((r) => ({ labels: { pool: r.pool, status: r.status }, value: r.n })),
    // The queue depth is the open tasks that are queued: no second pass over the tasks.
    queued: open.rows.filter((r) => r.status === 'queued').map((r) => ({ labels: { pool: r.pool, priority: r.priority }, value: r.n })),
    open: open.rows.map((r) => ({ labels: { pool: r.pool, priority: r.priority, status: r.status }, value: r.n })),
    // Agents outside any pool (registered without one) are counted under pool "".
    agents: agents.rows.map((r) => ({ labels: { pool: r.pool ?? '', status: r.status, healthy: String(r.healthy) }, value: r.n })),
    healthyAgents: healthyByPool(agents.rows),
  }
}

/** Agents that heartbeat and can take work (idle or busy), summed by pool. */
function healthyByPool(rows: readonly { pool: string | null; status: string; healthy: boolean; n: number }[]): LabelledCount[] {
  const byPool = new Map<string, number>()
  for (const r of rows)
    if (r.healthy && (r.status === 'idle' || r.status === 'busy')) byPool.set(r.pool ?? '', (byPool.get(r.pool ?? '') ?? 0) + r.n)
  return [...byPool].map(([pool, value]) => ({ labels: { pool }, value }))
}
