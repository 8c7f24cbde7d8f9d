import { sql } from 'kysely'
import type { Db } from '../../infra/postgres.ts'
import type { Outcome } from './dependency-facts.ts'

export type OutcomeWrite = Readonly<{ taskId: string; outcome: Outcome; version: number }>
export type EdgeWrite = Readonly<{ taskId: string; dependencyId: string; open: boolean; version: number }>

/**
 * The dependency manager's own Postgres state. Every write is a single autocommitted statement
 * that lands before the matching read: of two handlers racing on one edge (the dependency's
 * outcome on one partition, the dependent's edge on another), the one that reads second is
 * guaranteed to see the other's write — so no completion is missed, whatever the order.
 * Writes carry the event version and never go backwards (`>=` lets a redelivery act again).
 * Each call takes a whole batch: one statement for any number of tasks.
 */
export function createDependencyStore(db: Db) {
  return {
    /** Records outcomes (one per task); returns the tasks whose stored outcome this write set. */
    async recordOutcomes(writes: readonly OutcomeWrite[]): Promise<Set<string>> {
      if (writes.length === 0) return new Set()
      const { rows } = await sql<{ task_id: string }>`
        insert into reactor_task_outcomes as o (task_id, outcome, version)
        select * from unnest(${writes.map((w) => w.taskId)}::text[], ${writes.map((w) => w.outcome)}::text[], ${writes.map((w) => w.version)}::int[])
        on conflict (task_id) do update set outcome = excluded.outcome, version = excluded.version where o.version <= excluded.version
        returning task_id`.execute(db)
      return new Set(rows.map((r) => r.task_id))
    },
    /** Opens or closes edges (one write per edge); returns the edges this write changed. */
    async recordEdges(writes: readonly EdgeWrite[]): Promise<EdgeWrite[]> {
      if (writes.length === 0) return []
      const { rows } = await sql<{ task_id: string; depends_on_id: string }>`
        insert into reactor_dependency_edges as e (task_id, depends_on_id, open, version)
        select * from unnest(${writes.map((w) => w.taskId)}::text[], ${writes.map((w) => w.dependencyId)}::text[], ${writes.map((w) => w.open)}::boolean[], ${writes.map((w) => w.version)}::int[])
        on conflict (task_id, depends_on_id) do update set open = excluded.open, version = excluded.version where e.version <= excluded.version
        returning task_id, depends_on_id`.execute(db)
      const changed = new Set(rows.map((r) => `${r.task_id}\u0000${r.depends_on_id}`))
      return writes.filter((w) => changed.has(`${w.taskId}\u0000${w.dependencyId}`))
    },
    /** The tasks still waiting for each of these tasks. */
    async openDependents(taskIds: readonly string[]): Promise<Map<string, string[]>> {
      const out = new Map<string, string[]>()
      if (taskIds.length === 0) return out
      const rows = await db
        .selectFrom('reactor_dependency_edges')
        .select(['depends_on_id', 'task_id'])
        .where(sql<boolean>`depends_on_id = any(${[...taskIds]}::text[])`)
        .where(sql.ref('open'), '=', true)
        .orderBy('task_id')
        .execute()
      for (const r of rows) out.set(r.depends_on_id, [...(out.get(r.depends_on_id) ?? []), r.task_id])
      return out
    },
    async outcomes(taskIds: readonly string[]): Promise<Map<string, Outcome>> {
      if (taskIds.length === 0) return new Map()
      const rows = await db
        .selectFrom('reactor_task_outcomes')
        .select(['task_id', 'outcome'])
        .where(sql<boolean>`task_id = any(${[...taskIds]}::text[])`)
        .execute()
      return new Map(rows.map((r) => [r.task_id, r.outcome as Outcome]))
    },
  }
}

export type DependencyStore = ReturnType<typeof createDependencyStore>
