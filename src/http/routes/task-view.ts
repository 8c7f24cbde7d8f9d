import type { TaskStatus } from '../../commands/task/task.lifecycle.ts'
import type { TaskPriority } from '../../events/generated/event-types.ts'
import type { TaskRecord } from '../../projections/tasks/tasks.queries.ts'

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null)

/** The API's view of a tasks row. */
export const toTaskView = (t: TaskRecord) => ({
  id: t.id,
  version: t.version,
  title: t.title,
  description: t.description,
  pool: t.pool,
  role: t.role,
  priority: t.priority as TaskPriority,
  status: t.status as TaskStatus,
  payload: t.payload,
  metadata: (t.metadata ?? {}) as Record<string, unknown>,
  maxAttempts: t.max_attempts,
  timeoutMs: t.timeout_ms,
  projectId: t.project_id,
  workflowId: t.workflow_id,
  dependsOn: t.depends_on,
  openDependencies: t.open_dependencies,
  progress: t.progress,
  progressMessage: t.progress_message,
  attempt: t.attempt,
  agentId: t.agent_id,
  assignedAgentId: t.assigned_agent_id,
  leaseEpoch: t.lease_epoch,
  result: t.result,
  lastError: t.last_error,
  cancelReason: t.cancel_reason,
  awaitingRequestId: t.awaiting_request_id,
  purged: t.purged,
  createdBy: t.created_by,
  createdAt: t.created_at.toISOString(),
  updatedAt: t.updated_at.toISOString(),
  queuedAt: iso(t.queued_at),
  startedAt: iso(t.started_at),
  completedAt: iso(t.completed_at),
  finishedAt: iso(t.finished_at),
  deadLetteredAt: iso(t.dead_lettered_at),
  retryAt: iso(t.retry_at),
})
