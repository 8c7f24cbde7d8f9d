import type { StoredEvent } from '../../events/envelope.ts'
import type { TaskFailuresTable } from '../../database/schema.ts'
import type { RowProjection } from '../projection.ts'

export type Failure = Readonly<{ attempt: number; error: string; at: string }>

export type TaskFailureRow = Omit<TaskFailuresTable, 'failures' | 'dead_lettered_at' | 'purged_at'> & {
  failures: Failure[]
  dead_lettered_at: Date | null
  purged_at: Date | null
}

/** A requeue or a manual retry starts a fresh attempt budget and forgets the old failures. */
const freshBudget: ReadonlySet<string> = new Set(['requeued', 'manual-retry'])

const empty = (taskId: string, version: number): TaskFailureRow => ({
  task_id: taskId,
  version,
  failures: [],
  last_error: null,
  attempts: 0,
  dead_lettered_at: null,
  purged_at: null,
})

function project(row: TaskFailureRow | undefined, event: StoredEvent): TaskFailureRow | undefined {
  const at = new Date(event.meta.occurredAt)
  const base = () => ({ ...(row ?? empty(event.meta.aggregateId, event.meta.version)), version: event.meta.version })
  const failed = (attempt: number, error: string): TaskFailureRow => {
    const r = base()
    return { ...r, failures: [...r.failures, { attempt, error, at: at.toISOString() }], last_error: error, attempts: r.failures.length + 1 }
  }
  switch (event.type) {
    case 'TaskFailed':
      return failed(event.data.attempt, event.data.error)
    case 'TaskLeaseExpired':
      return failed(event.data.attempt, `lease of ${event.data.agentId} expired`)
    case 'TaskDeadLettered':
      return { ...base(), attempts: event.data.attempts, last_error: event.data.lastError, dead_lettered_at: at, purged_at: null }
    case 'TaskPurged':
      return row && { ...row, version: event.meta.version, purged_at: at }
    case 'TaskQueued':
      return freshBudget.has(event.data.reason) ? undefined : row && { ...row, version: event.meta.version }
    default:
      return row && { ...row, version: event.meta.version }
  }
}

/** Failure history and dead-letter state per task (table task_failures). */
export const taskFailuresProjection: RowProjection<'task_failures', TaskFailureRow> = {
  kind: 'row',
  name: 'task-failures',
  aggregates: ['task'],
  table: 'task_failures',
  key: 'task_id',
  keyOf: (e) => e.meta.aggregateId,
  project,
  sparse: true,
}
