import { sql } from 'kysely'
import type { StoredEvent } from '../../events/envelope.ts'
import type { TaskDependenciesTable } from '../../database/schema.ts'
import type { SqlProjection } from '../projection.ts'

export type EdgeChange = TaskDependenciesTable & { deleted: boolean }

const keyOf = (taskId: string, dependsOnId: string) => `${taskId}\u0000${dependsOnId}`

/**
 * Pure: the final state of every dependency edge a batch touches, in log order (the last event
 * of an edge wins). Events of one task arrive in version order, so the fold is exact.
 */
export function foldDependencyEdges(events: readonly StoredEvent[]): EdgeChange[] {
  const edges = new Map<string, EdgeChange>()
  const set = (task_id: string, depends_on_id: string, resolved: boolean, deleted: boolean) =>
    edges.set(keyOf(task_id, depends_on_id), { task_id, depends_on_id, resolved, deleted })
  for (const e of events) {
    const taskId = e.meta.aggregateId
    if (e.type === 'TaskCreated') for (const d of e.data.dependsOn) set(taskId, d, false, false)
    else if (e.type === 'TaskDependencyAdded') set(taskId, e.data.dependencyId, false, false)
    else if (e.type === 'TaskDependencyRemoved') set(taskId, e.data.dependencyId, false, true)
    else if (e.type === 'TaskDependencyResolved') set(taskId, e.data.dependencyId, true, false)
  }
  return [...edges.values()]
}

/** task_dependencies: one row per (task, dependency), `resolved` once the dependency completed. */
export const taskDependenciesProjection: SqlProjection = {
  kind: 'sql',
  name: 'task-dependencies',
  aggregates: ['task'],
  tables: ['task_dependencies'],
  async apply(tx, events) {
    const changes = foldDependencyEdges(events)
    const upserts = changes.filter((c) => !c.deleted).map(({ task_id, depends_on_id, resolved }) => ({ task_id, depends_on_id, resolved }))
    const deletes = changes.filter((c) => c.deleted)
    if (upserts.length > 0) {
      await tx
        .insertInto('task_dependencies')
        .values(upserts)
        .onConflict((oc) => oc.columns(['task_id', 'depends_on_id']).doUpdateSet({ resolved: sql.ref('excluded.resolved') }))
        .execute()
    }
    for (const d of deletes) {
      await tx.deleteFrom('task_dependencies').where('task_id', '=', d.task_id).where('depends_on_id', '=', d.depends_on_id).execute()
    }
  },
}
