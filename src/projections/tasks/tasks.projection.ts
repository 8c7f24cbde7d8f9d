import type { StoredEvent } from '../../events/envelope.ts'
import { TaskPriority } from '../../events/generated/event-types.ts'
import type { TaskStatus } from '../../commands/task/task.state.ts'
import type { TasksTable } from '../database.ts'
import type { RowProjection } from '../projection.ts'

export type TaskRow = Omit<TasksTable, 'payload' | 'created_at' | 'updated_at'> & { payload: unknown; created_at: Date; updated_at: Date }

/** CRITICAL sorts first. */
export const priorityRank = (p: string): number => TaskPriority.indexOf(p as TaskPriority)

/** The status each lifecycle event leads to (events not listed keep it). */
const statusAfter: Readonly<Partial<Record<string, TaskStatus>>> = {
  TaskQueued: 'queued', TaskClaimed: 'claimed', TaskStarted: 'running', TaskInputRequested: 'awaiting_input',
  TaskCompleted: 'completed', TaskFailed: 'failed', TaskLeaseExpired: 'failed', TaskRetryScheduled: 'retry_scheduled',
  TaskDeadLettered: 'dead_lettered',
}

function project(row: TaskRow | undefined, event: StoredEvent): TaskRow | undefined {
  const at = new Date(event.meta.occurredAt)
  const touched = (r: TaskRow, changes: Partial<TaskRow>): TaskRow => ({ ...r, ...changes, version: event.meta.version, updated_at: at })
  switch (event.type) {
    case 'TaskCreated': {
      const d = event.data
      return {
        id: event.meta.aggregateId, version: event.meta.version, title: d.title, description: d.description, pool: d.pool,
        priority: d.priority, priority_rank: priorityRank(d.priority), status: d.dependsOn.length > 0 ? 'waiting' : 'created',
        payload: JSON.parse(d.payload), max_attempts: d.maxAttempts, timeout_ms: d.timeoutMs, project_id: d.projectId,
        workflow_id: d.workflowId, depends_on: [...d.dependsOn], progress: 0, progress_message: null, cancel_reason: null,
        created_by: event.meta.actor, created_at: at, updated_at: at,
      }
    }
    case 'TaskProgressReported':
      return row && touched(row, { progress: event.data.percent, progress_message: event.data.message })
    case 'TaskCancelled':
      return row && touched(row, { status: 'cancelled', cancel_reason: event.data.reason })
    default: {
      const status = statusAfter[event.type]
      return row && touched(row, status ? { status } : {})
    }
  }
}

export const tasksProjection: RowProjection<'tasks', TaskRow> = {
  kind: 'row',
  name: 'tasks',
  aggregates: ['task'],
  table: 'tasks',
  key: 'id',
  jsonColumns: ['payload'],
  keyOf: (e) => e.meta.aggregateId,
  project,
}
