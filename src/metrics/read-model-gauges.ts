import { sql } from 'kysely'
import type { Db } from '../infra/postgres.ts'
import { workersByPoolAndStatus } from '../projections/workers/worker-processes.queries.ts'

export type LabelledCount = Readonly<{ labels: Readonly<Record<string, string>>; value: number }>

export type ReadModelFigures = Readonly<{
  conflicts: readonly LabelledCount[]
  deadLettered: readonly LabelledCount[]
  workers: readonly LabelledCount[]
}>

/** Counts from the read models: event conflicts per projector group, dead-lettered tasks per pool, live worker processes per pool and status. */
export async function collectReadModelFigures(db: Db): Promise<ReadModelFigures> {
  const [conflicts, dead, workers] = await Promise.all([
    sql<{ consumer: string; n: number }>`select consumer, count(*)::int as n from event_conflicts group by consumer`.execute(db),
    sql<{ pool: string; n: number }>`
      select pool, count(*)::int as n from tasks where status = 'dead_lettered' and not purged group by pool`.execute(db),
    workersByPoolAndStatus(db),
  ])
  return {
    conflicts: conflicts.rows.map((r) => ({ labels: { group: r.consumer }, value: r.n })),
    deadLettered: dead.rows.map((r) => ({ labels: { pool: r.pool }, value: r.n })),
    workers: workers.map((r) => ({ labels: { pool: r.pool, status: r.status }, value: r.n })),
  }
}
