import { sql } from 'kysely'
import type { Db } from '../../infra/postgres.ts'
import type { Outcome } from './dependency-facts.ts'

/**
 * The dependency manager's own Postgres state. Every write is a single autocommitted statement
 * that lands before the matching read: of two handlers racing on one edge (the dependency's
 * outcome on one partition, the dependent's edge on another), the one that reads second is
 * guaranteed to see the other's write — so no completion is missed, whatever the order.
 * Writes carry the event version and never go backwards (`>=` lets a redelivery act again).
 */
export function createDependencyStore(db: Db) {
  return {
    /** Records an outcome; false when a newer fact about the task is already stored. */
    async recordOutcome(taskId: string, outcome: Outcome, version: number): Promise<boolean> {
      const r = await db.insertInto('pm_task_outcomes').values({ task_id: taskId, outcome, version })
        .onConflict((oc) => oc.column('task_id').doUpdateSet({ outcome, version }).where('pm_task_outcomes.version', '<=', version))
        .executeTakeFirst()
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0
    },
    /** Opens or closes edges; returns the dependencies whose edge this write changed. */
    async recordEdges(taskId: string, dependencies: readonly string[], open: boolean, version: number): Promise<string[]> {
      if (dependencies.length === 0) return []
      const rows = await db.insertInto('pm_dependency_edges')
        .values(dependencies.map((d) => ({ task_id: taskId, depends_on_id: d, open, version })))
        .onConflict((oc) => oc.columns(['task_id', 'depends_on_id']).doUpdateSet({ open, version }).where('pm_dependency_edges.version', '<=', version))
        .returning('depends_on_id').execute()
      return rows.map((r) => r.depends_on_id)
    },
    /** The tasks still waiting for `taskId`. */
    async openDependents(taskId: string): Promise<string[]> {
      const rows = await db.selectFrom('pm_dependency_edges').select('task_id').where('depends_on_id', '=', taskId).where(sql.ref('open'), '=', true).orderBy('task_id').execute()
      return rows.map((r) => r.task_id)
    },
    async outcomes(taskIds: readonly string[]): Promise<Map<string, Outcome>> {
      if (taskIds.length === 0) return new Map()
      const rows = await db.selectFrom('pm_task_outcomes').select(['task_id', 'outcome']).where('task_id', 'in', [...taskIds]).execute()
      return new Map(rows.map((r) => [r.task_id, r.outcome as Outcome]))
    },
  }
}

export type DependencyStore = ReturnType<typeof createDependencyStore>
