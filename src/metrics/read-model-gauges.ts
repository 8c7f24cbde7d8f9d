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
  /** claimed, running or awaiting-input tasks by pool */
  inFlight: readonly LabelledCount[]
  /** agents that heartbeat and can take work (idle or busy), by pool */
  healthyAgents: readonly LabelledCount[]
}>

/** Counts from the read models: event conflicts per group, dead letters, live worker processes, queue depth, tasks in flight and healthy agents. */
export async function collectReadModelFigures(db: Db): Promise<ReadModelFigures> {
  const [conflicts, dead, workers, queued, inFlight, agents] = await Promise.all([
    sql<{ consumer: string; n: number }>`select consumer, count(*)::int as n from event_conflicts group by consumer`.execute(db),
    sql<{ pool: string; n: number }>`
      select pool, count(*)::int as n from tasks where status = 'dead_lettered' and not purged group by pool`.execute(db),
    workersByPoolAndStatus(db),
    sql<{ pool: string; priority: string; n: number }>`
      select pool, priority, count(*)::int as n from tasks where status = 'queued' group by pool, priority`.execute(db),
    sql<{ pool: string; n: number }>`
      select pool, count(*)::int as n from tasks where status in ('claimed', 'running', 'awaiting_input') group by pool`.execute(db),
    sql<{ pool: string | null; n: number }>`
      select pool, count(*)::int as n from agents where healthy and status in ('idle', 'busy') group by pool`.execute(db),
  ])
  return {
    conflicts: conflicts.rows.map((r) => ({ labels: { group: r.consumer }, value: r.n })),
    deadLettered: dead.rows.map((r) => ({ labels: { pool: r.pool }, value: r.n })),
    workers: workers.map((r) => ({ labels: { pool: r.pool, status: r.status }, value: r.n })),
    queued: queued.rows.map((r) => ({ labels: { pool: r.pool, priority: r.priority }, value: r.n })),
    inFlight: inFlight.rows.map((r) => ({ labels: { pool: r.pool }, value: r.n })),
    // Agents outside any pool (registered without one) are counted under pool "".
    healthyAgents: agents.rows.map((r) => ({ labels: { pool: r.pool ?? '' }, value: r.n })),
  }
}
