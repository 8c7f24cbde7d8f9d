import type { EventMeta } from '../../events/envelope.ts'
import type { TaskEvent } from '../../events/generated/event-types.ts'
import { assertNever } from '../decider.ts'
import { statusAfter } from './task.lifecycle.ts'
import type { ExistingTask, TaskState } from './task.state.ts'

const without = (list: readonly string[], id: string): string[] => list.filter((x) => x !== id)
const budgetResets: ReadonlySet<string> = new Set(['requeued', 'manual-retry'])

/** Folds one task event into the state the decider and the workers need; the status follows the lifecycle. */
export function evolveTask(state: TaskState, event: TaskEvent, meta: EventMeta): TaskState {
  if (event.type === 'TaskCreated') {
    const d = event.data
    return {
      exists: true,
      status: statusAfter('created', event),
      createdBy: meta.commandId,
      title: d.title,
      pool: d.pool,
      projectId: d.projectId ?? null,
      priority: d.priority,
      payload: d.payload,
      timeoutMs: d.timeoutMs,
      maxAttempts: d.maxAttempts,
      progress: 0,
      attempt: 0,
      budgetStart: 1,
      queuedVersion: 0,
      leaseEpoch: 0,
      holder: null,
      startedAt: null,
      assignedAgentId: null,
      dependsOn: [...d.dependsOn],
      openDependencies: [...d.dependsOn],
      pendingInput: null,
      inputs: [],
      lastError: null,
      purged: false,
    }
  }
  if (!state.exists) return state
  const t: ExistingTask = { ...state, status: statusAfter(state.status, event) }
  switch (event.type) {
    case 'TaskQueued':
      return {
        ...t,
        attempt: event.data.attempt,
        queuedVersion: meta.version,
        holder: null,
        pendingInput: null,
        pool: event.data.pool,
        priority: event.data.priority,
        budgetStart: budgetResets.has(event.data.reason) ? event.data.attempt : t.budgetStart,
      }
    case 'TaskDependencyAdded':
      return {
        ...t,
        dependsOn: [...t.dependsOn, event.data.dependencyId],
        openDependencies: [...t.openDependencies, event.data.dependencyId],
      }
    case 'TaskDependencyRemoved':
      return {
        ...t,
        dependsOn: without(t.dependsOn, event.data.dependencyId),
        openDependencies: without(t.openDependencies, event.data.dependencyId),
      }
    case 'TaskDependencyResolved':
      return { ...t, openDependencies: without(t.openDependencies, event.data.dependencyId) }
    case 'TaskAssigned':
      return { ...t, assignedAgentId: event.data.agentId }
    case 'TaskClaimed':
      return { ...t, holder: event.data.agentId, leaseEpoch: event.data.leaseEpoch, attempt: event.data.attempt }
    case 'TaskStarted':
      return {
        ...t,
        holder: event.data.agentId,
        leaseEpoch: event.data.leaseEpoch,
        attempt: event.data.attempt,
        startedAt: meta.occurredAt,
      }
    case 'TaskProgressReported':
      return { ...t, progress: event.data.percent }
    case 'TaskInputRequested':
      return { ...t, holder: null, pendingInput: { requestId: event.data.requestId, question: event.data.question } }
    case 'TaskInputReceived':
      return { ...t, pendingInput: null, inputs: [...t.inputs, { requestId: event.data.requestId, response: event.data.response }] }
    case 'TaskCompleted':
      return { ...t, holder: null, progress: 100 }
    case 'TaskFailed':
      return { ...t, holder: null, lastError: event.data.error }
    case 'TaskLeaseExpired':
      return { ...t, holder: null, lastError: `lease of ${event.data.agentId} expired` }
    case 'TaskRetryScheduled':
      return t
    case 'TaskDeadLettered':
      return { ...t, holder: null }
    case 'TaskCancelled':
      return { ...t, holder: null, pendingInput: null }
    case 'TaskPurged':
      return { ...t, purged: true }
    default:
      return assertNever(event)
  }
}
