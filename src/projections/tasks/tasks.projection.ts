import type { Selectable } from 'kysely'
import type { StoredEvent } from '../../events/envelope.ts'
import type { TaskEvent } from '../../events/generated/event-types.ts'
import { assertNever } from '../../commands/decider.ts'
import { priorityRank, statusAfter, type TaskStatus } from '../../commands/task/task.lifecycle.ts'
import type { TasksTable } from '../../database/schema.ts'
import type { RowProjection } from '../projection.ts'

type Dates = 'created_at' | 'updated_at' | 'queued_at' | 'started_at' | 'completed_at' | 'finished_at' | 'dead_lettered_at' | 'retry_at'

/** A tasks row as the projection writes it (JSON columns as values, timestamps as Dates). */
export type TaskRow = Omit<Selectable<TasksTable>, 'payload' | 'metadata' | 'result' | Dates> & {
  payload: unknown
  metadata: Record<string, unknown>
  result: unknown
  created_at: Date
  updated_at: Date
  queued_at: Date | null
  started_at: Date | null
  completed_at: Date | null
  finished_at: Date | null
  dead_lettered_at: Date | null
  retry_at: Date | null
}

const without = (list: readonly string[], id: string): string[] => list.filter((x) => x !== id)

/** TaskCreated.metadata is nullable JSON text; anything but an object reads as no labels. */
const metadataOf = (text: string | null): Record<string, unknown> => {
  if (text == null) return {}
  const value: unknown = JSON.parse(text)
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function created(event: StoredEvent & Extract<TaskEvent, { type: 'TaskCreated' }>, at: Date): TaskRow {
  const d = event.data
  return {
    id: event.meta.aggregateId,
    version: event.meta.version,
    title: d.title,
    description: d.description,
    pool: d.pool,
    role: d.role ?? null,
    priority: d.priority,
    priority_rank: priorityRank(d.priority),
    status: statusAfter('created', event),
    payload: JSON.parse(d.payload),
    metadata: metadataOf(d.metadata),
    max_attempts: d.maxAttempts,
    timeout_ms: d.timeoutMs,
    project_id: d.projectId,
    workflow_id: d.workflowId,
    depends_on: [...d.dependsOn],
    open_dependencies: [...d.dependsOn],
    progress: 0,
    progress_message: null,
    cancel_reason: null,
    attempt: 0,
    agent_id: null,
    assigned_agent_id: null,
    lease_epoch: 0,
    result: null,
    last_error: null,
    queued_at: null,
    started_at: null,
    completed_at: null,
    finished_at: null,
    dead_lettered_at: null,
    retry_at: null,
    purged: false,
    awaiting_request_id: null,
    created_by: event.meta.actor,
    created_at: at,
    updated_at: at,
  }
}

/** The columns besides `status` (task.lifecycle.ts moves that) that one event of an existing task changes. */
function changes(row: TaskRow, event: TaskEvent, at: Date): Partial<TaskRow> {
  const finished: Partial<TaskRow> = { finished_at: at, retry_at: null }
  switch (event.type) {
    case 'TaskCreated':
      return {}
    case 'TaskQueued': {
      const d = event.data
      // Queued again (retry, resume, requeue): the task is live, its earlier ending no longer applies.
      return {
        attempt: d.attempt,
        pool: d.pool,
        priority: d.priority,
        priority_rank: priorityRank(d.priority),
        queued_at: at,
        started_at: null,
        finished_at: null,
        dead_lettered_at: null,
        retry_at: null,
        cancel_reason: null,
        awaiting_request_id: null,
      }
    }
    case 'TaskDependencyAdded': {
      const id = event.data.dependencyId
      return { depends_on: [...row.depends_on, id], open_dependencies: [...row.open_dependencies, id] }
    }
    case 'TaskDependencyRemoved':
      return {
        depends_on: without(row.depends_on, event.data.dependencyId),
        open_dependencies: without(row.open_dependencies, event.data.dependencyId),
      }
    case 'TaskDependencyResolved':
      return { open_dependencies: without(row.open_dependencies, event.data.dependencyId) }
    case 'TaskAssigned':
      return { assigned_agent_id: event.data.agentId }
    case 'TaskClaimed':
      return { agent_id: event.data.agentId, lease_epoch: event.data.leaseEpoch, attempt: event.data.attempt }
    case 'TaskStarted':
      return { agent_id: event.data.agentId, lease_epoch: event.data.leaseEpoch, attempt: event.data.attempt, started_at: at }
    case 'TaskProgressReported':
      return { progress: event.data.percent, progress_message: event.data.message }
    case 'TaskInputRequested':
      return { awaiting_request_id: event.data.requestId }
    case 'TaskInputReceived':
      return { awaiting_request_id: null }
    case 'TaskCompleted':
      return { ...finished, agent_id: event.data.agentId, progress: 100, result: JSON.parse(event.data.result), completed_at: at }
    case 'TaskFailed':
      return { ...finished, last_error: event.data.error, agent_id: event.data.agentId ?? row.agent_id }
    case 'TaskLeaseExpired':
      return { ...finished, last_error: `lease of ${event.data.agentId} expired` }
    case 'TaskRetryScheduled':
      return { finished_at: null, retry_at: new Date(event.data.retryAt) }
    case 'TaskDeadLettered':
      return { ...finished, last_error: event.data.lastError, dead_lettered_at: at }
    case 'TaskCancelled':
      return { ...finished, cancel_reason: event.data.reason, awaiting_request_id: null }
    case 'TaskPurged':
      return { purged: true }
    default:
      return assertNever(event)
  }
}

function project(row: TaskRow | undefined, event: StoredEvent): TaskRow | undefined {
  const at = new Date(event.meta.occurredAt)
  if (event.type === 'TaskCreated') return created(event, at)
  if (!row) return undefined
  const taskEvent = event as TaskEvent
  const status = statusAfter(row.status as TaskStatus, taskEvent)
  return { ...row, ...changes(row, taskEvent, at), status, version: event.meta.version, updated_at: at }
}

export const tasksProjection: RowProjection<'tasks', TaskRow> = {
  kind: 'row',
  name: 'tasks',
  aggregates: ['task'],
  table: 'tasks',
  key: 'id',
  keyOf: (e) => e.meta.aggregateId,
  project,
}
