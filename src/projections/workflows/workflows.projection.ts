import type { Transaction } from 'kysely'
import { stepTaskId } from '../../commands/workflow/workflow-dag.ts'
import type { StoredEvent } from '../../events/envelope.ts'
import type { Database } from '../../database/schema.ts'
import type { SqlProjection } from '../projection.ts'
import { projectWorkflowRow } from './workflow-row.projection.ts'

/**
 * `workflows` (one row each) and `workflow_steps` (one row per step) in the same transaction, so
 * a reader never sees a finished workflow with unsettled steps. The runner hands over each event
 * exactly once and in order (version gate).
 */
async function apply(tx: Transaction<Database>, events: readonly StoredEvent[]): Promise<void> {
  for (const event of events) {
    const workflowId = event.meta.aggregateId
    const at = new Date(event.meta.occurredAt)
    const row = await tx.selectFrom('workflows').selectAll().where('id', '=', workflowId).executeTakeFirst()
    const next = projectWorkflowRow(row, event)
    if (next)
      await tx
        .insertInto('workflows')
        .values(next)
        .onConflict((oc) => oc.column('id').doUpdateSet(next))
        .execute()
    const outcome = (stepId: string, value: string, error: string | null = null) =>
      tx
        .updateTable('workflow_steps')
        .set({ outcome: value, error, updated_at: at })
        .where('workflow_id', '=', workflowId)
        .where('step_id', '=', stepId)
        .execute()
    switch (event.type) {
      case 'WorkflowCreated':
        await tx
          .insertInto('workflow_steps')
          .values(
            event.data.steps.map((s, position) => ({
              workflow_id: workflowId,
              step_id: s.stepId,
              position,
              task_id: stepTaskId(workflowId, s.stepId),
              title: s.title,
              pool: s.pool,
              priority: s.priority,
              depends_on: [...s.dependsOn],
              optional: s.optional,
              outcome: 'pending',
              error: null,
              updated_at: at,
            })),
          )
          .onConflict((oc) => oc.columns(['workflow_id', 'step_id']).doNothing())
          .execute()
        break
      case 'WorkflowStepCompleted':
        await outcome(event.data.stepId, 'completed')
        break
      case 'WorkflowStepSkipped':
        await outcome(event.data.stepId, 'skipped', event.data.error)
        break
      case 'WorkflowStepFailed':
        await outcome(event.data.stepId, 'failed', event.data.error)
        break
      case 'WorkflowFailed':
      case 'WorkflowCancelled':
        await tx
          .updateTable('workflow_steps')
          .set({ outcome: 'cancelled', updated_at: at })
          .where('workflow_id', '=', workflowId)
          .where('outcome', '=', 'pending')
          .execute()
        break
      default:
        break
    }
  }
}

/** The workflows row carries the last version applied to it (its steps change with it). */
async function appliedVersions(tx: Transaction<Database>, streams: readonly string[]): Promise<Map<string, number>> {
  const ids = streams.map((s) => s.slice(s.indexOf(':') + 1))
  const rows = await tx
    .selectFrom('workflows')
    .select(['id', 'version'])
    .where('id', 'in', ids.length > 0 ? ids : [''])
    .execute()
  return new Map(rows.map((r) => [`workflow:${r.id}`, r.version]))
}

export const workflowsProjection: SqlProjection = {
  kind: 'sql',
  name: 'workflows',
  aggregates: ['workflow'],
  tables: ['workflows', 'workflow_steps'],
  apply,
  appliedVersions,
}
