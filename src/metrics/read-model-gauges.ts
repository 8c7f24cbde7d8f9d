import { sql } from 'kysely'
import type { Db } from '../infra/postgres.ts'

export type LabelledCount = Readonly<{ labels: Readonly<Record<string, string>>; value: number }>

export type ReadModelFigures = Readonly<{
  conflicts: readonly LabelledCount[]
  deadLettered: readonly LabelledCount[]
  /** undefined when the schema has no worker_processes table */
  workers: readonly LabelledCount[] | undefined
}>

const columnsOf = async (db: Db, table: string): Promise<Set<string>> => {
  const { rows } = await sql<{ column_name: string }>`
    select column_name from information_schema.columns where table_schema = current_schema() and table_name = ${table}`.execute(db)
  return new Set(rows.map((r) => r.column_name))
}

/**
 * Counts from the read models: event conflicts per projector group, dead-lettered tasks per pool,
 * and worker processes per pool (and status, when the table records one). worker_processes is
 * only read when it exists, with the columns it has: nothing is assumed about it.
 */
export async function collectReadModelFigures(db: Db): Promise<ReadModelFigures> {
  const conflicts = await sql<{ consumer: string; n: number }>`
    select consumer, count(*)::int as n from event_conflicts group by consumer`.execute(db)
  const dead = await sql<{ pool: string; n: number }>`
    select pool, count(*)::int as n from tasks where status = 'dead_lettered' group by pool`.execute(db)
  const workerColumns = await columnsOf(db, 'worker_processes')
  let workers: LabelledCount[] | undefined
  if (workerColumns.has('pool')) {
    const byStatus = workerColumns.has('status')
    const { rows } = byStatus
      ? await sql<{
          pool: string
          status: string
          n: number
        }>`select pool, status, count(*)::int as n from worker_processes group by pool, status`.execute(db)
      : await sql<{
          pool: string
          status: string
          n: number
        }>`select pool, '' as status, count(*)::int as n from worker_processes group by pool`.execute(db)
    workers = rows.map(
      (r): LabelledCount => ({ labels: byStatus ? { pool: r.pool, status: String(r.status) } : { pool: r.pool }, value: r.n }),
    )
  }
  return {
    conflicts: conflicts.rows.map((r) => ({ labels: { group: r.consumer }, value: r.n })),
    deadLettered: dead.rows.map((r) => ({ labels: { pool: r.pool }, value: r.n })),
    workers,
  }
}
