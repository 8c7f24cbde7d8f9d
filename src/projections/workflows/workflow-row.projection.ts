import type { StoredEvent } from '../../events/envelope.ts'
import type { WorkflowsTable } from '../../database/schema.ts'

export type WorkflowRow = Omit<WorkflowsTable, 'created_at' | 'started_at' | 'finished_at' | 'updated_at'> & {
  created_at: Date
  started_at: Date | null
  finished_at: Date | null
  updated_at: Date
}

/** Pure: the workflow row after one event. */
export function projectWorkflowRow(row: WorkflowRow | undefined, event: StoredEvent): WorkflowRow | undefined {
  const at = new Date(event.meta.occurredAt)
  const touched = (r: WorkflowRow, changes: Partial<WorkflowRow>): WorkflowRow => ({
    ...r,
    ...changes,
    version: event.meta.version,
    updated_at: at,
  })
  switch (event.type) {
    case 'WorkflowCreated': {
      const d = event.data
      return {
        id: event.meta.aggregateId,
        version: event.meta.version,
        name: d.name,
        description: d.description,
        project_id: d.projectId,
        status: 'pending',
        steps_total: d.steps.length,
        steps_completed: 0,
        steps_skipped: 0,
        failed_step: null,
        error: null,
        cancel_reason: null,
        created_at: at,
        started_at: null,
        finished_at: null,
        updated_at: at,
      }
    }
    case 'WorkflowStarted':
      return row && touched(row, { status: 'running', started_at: at })
    case 'WorkflowStepCompleted':
      return row && touched(row, { steps_completed: row.steps_completed + 1 })
    case 'WorkflowStepSkipped':
      return row && touched(row, { steps_skipped: row.steps_skipped + 1 })
    case 'WorkflowStepFailed':
      return row && touched(row, {})
    case 'WorkflowCompleted':
      return row && touched(row, { status: 'completed', finished_at: at })
    case 'WorkflowFailed':
      return row && touched(row, { status: 'failed', failed_step: event.data.stepId, error: event.data.error, finished_at: at })
    case 'WorkflowCancelled':
      return row && touched(row, { status: 'cancelled', cancel_reason: event.data.reason, finished_at: at })
    default:
      return row
  }
}
