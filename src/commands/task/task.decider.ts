import { DomainError } from '../../errors.ts'
import type { TaskEvent } from '../../events/generated/event-types.ts'
import { assertNever, type Decider } from '../decider.ts'
import type * as C from './task.commands.ts'
import { evolveTask } from './task.evolve.ts'
import { heldStatuses, terminalStatuses } from './task.lifecycle.ts'
import { attemptsUsed, type ExistingTask, type TaskState } from './task.state.ts'

type Events = TaskEvent[]

const refuse = (code: string, message: string, details?: Record<string, unknown>): never => {
  throw new DomainError(code, message, { details })
}

const mustExist = (state: TaskState): ExistingTask => (state.exists ? state : refuse('task.not-found', 'the task does not exist'))

const notFinished = (t: ExistingTask): ExistingTask =>
  terminalStatuses.has(t.status) ? refuse('task.finished', `the task is ${t.status}`, { taskStatus: t.status }) : t

const staleLease = (t: ExistingTask, leaseEpoch: number, why: string): never =>
  refuse('task.stale-lease', `the lease of this agent is no longer current: ${why}`, { leaseEpoch, currentEpoch: t.leaseEpoch })

/**
 * The caller must hold the task under the current fencing epoch, with a lease that has not
 * lapsed. A caller whose epoch once held the task (reaped, taken over, or parked since) is told
 * its lease is stale; only a caller that never held it hears that the task is not running.
 */
const mustHold = (t: ExistingTask, agentId: string | null, leaseEpoch: number, leaseLapsed = false): ExistingTask => {
  if (terminalStatuses.has(t.status)) return refuse('task.finished', `the task is ${t.status}`, { taskStatus: t.status })
  if (!heldStatuses.has(t.status)) {
    if (leaseEpoch >= 1 && leaseEpoch <= t.leaseEpoch) return staleLease(t, leaseEpoch, `the task is ${t.status} since`)
    return refuse('task.not-running', `the task is ${t.status}`, { taskStatus: t.status })
  }
  if (leaseEpoch !== t.leaseEpoch || (agentId !== null && agentId !== t.holder))
    return staleLease(t, leaseEpoch, 'the task was reaped or taken over')
  if (leaseLapsed) return staleLease(t, leaseEpoch, 'the lease expired')
  return t
}

const queued = (t: ExistingTask, attempt: number, reason: string): TaskEvent => ({
  type: 'TaskQueued',
  data: { attempt, reason, pool: t.pool, priority: t.priority },
})

/** After a failed attempt: retry with backoff, or dead-letter once the budget is spent. */
const afterFailure = (t: ExistingTask, lastError: string, now: number, retryDelayMs: number): TaskEvent =>
  attemptsUsed(t) < t.maxAttempts
    ? { type: 'TaskRetryScheduled', data: { attempt: t.attempt + 1, retryAt: now + retryDelayMs, delayMs: retryDelayMs } }
    : { type: 'TaskDeadLettered', data: { attempts: attemptsUsed(t), lastError, pool: t.pool, priority: t.priority } }

/** A task may not wait for itself: it would never be queued. The id comes with the command. */
const notSelf = (taskId: string, dependencyId: string): void => {
  if (dependencyId === taskId) refuse('task.dependency-cycle', 'a task cannot depend on itself', { cycle: [taskId, taskId] })
}

const create = (c: C.CreateTask, state: TaskState): Events => {
  if (state.exists) return state.createdBy === c.commandId ? [] : refuse('task.already-exists', 'a task with this id already exists')
  if (c.dependsOn.length !== new Set(c.dependsOn).size) refuse('task.duplicate-dependency', 'a dependency is listed twice')
  for (const d of c.dependsOn) notSelf(c.taskId, d)
  const created: TaskEvent = {
    type: 'TaskCreated',
    data: {
      title: c.title,
      description: c.description,
      pool: c.pool,
      role: c.role,
      priority: c.priority,
      payload: JSON.stringify(c.payload ?? null),
      maxAttempts: c.maxAttempts,
      timeoutMs: c.timeoutMs,
      projectId: c.projectId,
      workflowId: c.workflowId,
      dependsOn: [...c.dependsOn],
      metadata: JSON.stringify(c.metadata),
    },
  }
  return c.dependsOn.length > 0
    ? [created]
    : [created, { type: 'TaskQueued', data: { attempt: 1, reason: 'created', pool: c.pool, priority: c.priority } }]
}

const notStarted = (t: ExistingTask): ExistingTask =>
  ['created', 'waiting', 'queued'].includes(t.status)
    ? t
    : refuse('task.already-started', `dependencies can change only before the task starts; it is ${t.status}`, { taskStatus: t.status })

const addDependency = (c: C.AddTaskDependency, state: TaskState): Events => {
  const t = notStarted(mustExist(state))
  if (t.dependsOn.includes(c.dependencyId)) return []
  notSelf(c.taskId, c.dependencyId)
  return [{ type: 'TaskDependencyAdded', data: { dependencyId: c.dependencyId } }]
}

const removeDependency = (c: C.RemoveTaskDependency, state: TaskState): Events => {
  const t = notStarted(mustExist(state))
  if (!t.dependsOn.includes(c.dependencyId)) return []
  const removed: TaskEvent = { type: 'TaskDependencyRemoved', data: { dependencyId: c.dependencyId } }
  const nowReady = t.status === 'waiting' && t.openDependencies.every((d) => d === c.dependencyId)
  return nowReady ? [removed, queued(t, Math.max(1, t.attempt), 'dependencies-met')] : [removed]
}

const resolveDependency = (c: C.ResolveTaskDependency, state: TaskState): Events => {
  const t = mustExist(state)
  if (!t.openDependencies.includes(c.dependencyId)) return []
  const resolved: TaskEvent = { type: 'TaskDependencyResolved', data: { dependencyId: c.dependencyId } }
  const last = t.openDependencies.length === 1 && t.status === 'waiting'
  return last ? [resolved, queued(t, Math.max(1, t.attempt), 'dependencies-met')] : [resolved]
}

const assign = (c: C.AssignTask, state: TaskState): Events => {
  const t = notFinished(mustExist(state))
  if (t.assignedAgentId === c.agentId) return []
  if (heldStatuses.has(t.status) || t.status === 'awaiting_input')
    refuse('task.already-started', `the task is ${t.status}`, { taskStatus: t.status })
  return [{ type: 'TaskAssigned', data: { agentId: c.agentId } }]
}

const claim = (c: C.ClaimTask, state: TaskState): Events => {
  const t = notFinished(mustExist(state))
  if (t.status !== 'queued') refuse('task.not-claimable', `the task is ${t.status}`, { taskStatus: t.status })
  if (t.assignedAgentId !== null && t.assignedAgentId !== c.agentId)
    refuse('task.assigned-elsewhere', 'the task is assigned to another agent', { assignedAgentId: t.assignedAgentId })
  return [
    {
      type: 'TaskClaimed',
      data: { agentId: c.agentId, attempt: t.attempt, leaseEpoch: t.leaseEpoch + 1, leaseExpiresAt: c.now + c.leaseMs },
    },
  ]
}

const start = (c: C.StartTask, state: TaskState): Events => {
  const t = notFinished(mustExist(state))
  if (t.status === 'running') {
    const same = t.holder === c.agentId && (c.leaseEpoch === null || c.leaseEpoch === t.leaseEpoch)
    return same ? [] : refuse('task.already-running', 'the task is running elsewhere', { holder: t.holder })
  }
  if (t.status === 'claimed') {
    mustHold(t, c.agentId, c.leaseEpoch ?? -1)
    return [{ type: 'TaskStarted', data: { agentId: c.agentId, attempt: t.attempt, leaseEpoch: t.leaseEpoch } }]
  }
  if (t.status !== 'queued') return refuse('task.not-startable', `the task is ${t.status}`, { taskStatus: t.status })
  if (c.dispatchVersion !== null && c.dispatchVersion !== t.queuedVersion) {
    refuse('task.stale-dispatch', "the dispatch record is older than the task's last queueing", {
      dispatchVersion: c.dispatchVersion,
      queuedVersion: t.queuedVersion,
    })
  }
  return [{ type: 'TaskStarted', data: { agentId: c.agentId, attempt: t.attempt, leaseEpoch: t.leaseEpoch + 1 } }]
}

const reportProgress = (c: C.ReportTaskProgress, state: TaskState): Events => {
  const t = notFinished(mustExist(state))
  if (c.leaseEpoch != null) mustHold(t, null, c.leaseEpoch)
  if (!Number.isInteger(c.percent) || c.percent < 0 || c.percent > 100)
    refuse('task.invalid-progress', 'progress must be an integer from 0 to 100')
  return [{ type: 'TaskProgressReported', data: { percent: c.percent, message: c.message } }]
}

const requestInput = (c: C.RequestTaskInput, state: TaskState): Events => {
  const t = mustExist(state)
  if (t.status === 'awaiting_input' && t.pendingInput?.requestId === c.requestId) return []
  mustHold(t, null, c.leaseEpoch)
  return [{ type: 'TaskInputRequested', data: { requestId: c.requestId, question: c.question } }]
}

const provideInput = (c: C.ProvideTaskInput, state: TaskState): Events => {
  const t = mustExist(state)
  if (t.inputs.some((i) => i.requestId === c.requestId)) return []
  if (t.status !== 'awaiting_input' || t.pendingInput?.requestId !== c.requestId) {
    refuse('task.not-awaiting-input', `the task is ${t.status} and does not wait for request ${c.requestId}`, { taskStatus: t.status })
  }
  return [
    { type: 'TaskInputReceived', data: { requestId: c.requestId, response: JSON.stringify(c.response ?? null) } },
    queued(t, t.attempt, 'resumed'),
  ]
}

const complete = (c: C.CompleteTask, state: TaskState): Events => {
  const t = mustExist(state)
  if (t.status === 'completed' && t.leaseEpoch === c.leaseEpoch) return []
  mustHold(t, c.agentId, c.leaseEpoch, c.leaseLapsed)
  const durationMs = t.startedAt === null ? 0 : Math.max(0, c.now - t.startedAt)
  return [{ type: 'TaskCompleted', data: { agentId: c.agentId, attempt: t.attempt, result: JSON.stringify(c.result ?? null), durationMs } }]
}

const fail = (c: C.FailTask, state: TaskState): Events => {
  const t = mustHold(mustExist(state), c.agentId, c.leaseEpoch, c.leaseLapsed)
  const failed: TaskEvent = { type: 'TaskFailed', data: { agentId: c.agentId, attempt: t.attempt, error: c.error, retryable: c.retryable } }
  return c.retryable ? [failed, afterFailure(t, c.error, c.now, c.retryDelayMs)] : [failed]
}

const expireLease = (c: C.ExpireTaskLease, state: TaskState): Events => {
  const t = mustExist(state)
  // A reaper acting on an old epoch (the task moved on) changes nothing.
  if (!heldStatuses.has(t.status) || t.leaseEpoch !== c.leaseEpoch) return []
  const holder = t.holder ?? 'unknown'
  return [
    { type: 'TaskLeaseExpired', data: { agentId: holder, attempt: t.attempt, leaseEpoch: t.leaseEpoch } },
    afterFailure(t, `lease of ${holder} expired`, c.now, c.retryDelayMs),
  ]
}

const queueRetry = (c: C.QueueTaskRetry, state: TaskState): Events => {
  const t = mustExist(state)
  return t.status === 'retry_scheduled' && c.attempt === t.attempt + 1 ? [queued(t, c.attempt, 'retry')] : []
}

const cancel = (c: C.CancelTask, state: TaskState): Events => {
  const t = mustExist(state)
  if (t.status === 'cancelled') return []
  if (terminalStatuses.has(t.status)) refuse('task.not-cancellable', `the task is ${t.status}`, { taskStatus: t.status })
  return [{ type: 'TaskCancelled', data: { reason: c.reason } }]
}

const retry = (_c: C.RetryTask, state: TaskState): Events => {
  const t = mustExist(state)
  if (!['failed', 'cancelled', 'dead_lettered'].includes(t.status) || t.purged)
    refuse('task.not-retryable', `only failed, cancelled or dead-lettered tasks can be retried; it is ${t.status}`, {
      taskStatus: t.status,
    })
  if (t.openDependencies.length > 0)
    refuse('task.dependencies-open', 'the task still waits for dependencies', { openDependencies: t.openDependencies })
  return [queued(t, t.attempt + 1, 'manual-retry')]
}

const requeue = (_c: C.RequeueTask, state: TaskState): Events => {
  const t = mustExist(state)
  if (t.status !== 'dead_lettered' || t.purged)
    refuse('task.not-dead-lettered', `the task is ${t.purged ? 'purged' : t.status}`, { taskStatus: t.status })
  return [queued(t, t.attempt + 1, 'requeued')]
}

const purge = (c: C.PurgeTask, state: TaskState): Events => {
  const t = mustExist(state)
  if (t.purged) return []
  if (t.status !== 'dead_lettered') refuse('task.not-dead-lettered', `the task is ${t.status}`, { taskStatus: t.status })
  return [{ type: 'TaskPurged', data: { reason: c.reason } }]
}

/** Decides one task command; the statuses it moves through are those of task.lifecycle.ts. */
const decideTask = (command: C.TaskCommand, state: TaskState): Events => {
  switch (command.type) {
    case 'CreateTask':
      return create(command, state)
    case 'AddTaskDependency':
      return addDependency(command, state)
    case 'RemoveTaskDependency':
      return removeDependency(command, state)
    case 'ResolveTaskDependency':
      return resolveDependency(command, state)
    case 'AssignTask':
      return assign(command, state)
    case 'ClaimTask':
      return claim(command, state)
    case 'StartTask':
      return start(command, state)
    case 'ReportTaskProgress':
      return reportProgress(command, state)
    case 'RequestTaskInput':
      return requestInput(command, state)
    case 'ProvideTaskInput':
      return provideInput(command, state)
    case 'CompleteTask':
      return complete(command, state)
    case 'FailTask':
      return fail(command, state)
    case 'ExpireTaskLease':
      return expireLease(command, state)
    case 'QueueTaskRetry':
      return queueRetry(command, state)
    case 'CancelTask':
      return cancel(command, state)
    case 'RetryTask':
      return retry(command, state)
    case 'RequeueTask':
      return requeue(command, state)
    case 'PurgeTask':
      return purge(command, state)
    default:
      return assertNever(command)
  }
}

export const taskDecider: Decider<TaskState, C.TaskCommand, TaskEvent> = {
  initialState: () => ({ exists: false }),
  decide: decideTask,
  evolve: evolveTask,
}
