import { describe, expect, it } from 'vitest'
import type { CreateTask } from '../src/commands/task/task.commands.ts'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import { retryDelayMs } from '../src/commands/task/retry-policy.ts'
import type { TaskEvent } from '../src/events/generated/event-types.ts'
import { specFor } from './support/decider-spec.ts'

const spec = specFor(taskDecider)
type Data<T extends TaskEvent['type']> = Extract<TaskEvent, { type: T }>['data']

const createTask = (overrides: Partial<CreateTask> = {}): CreateTask => ({
  type: 'CreateTask',
  taskId: 't1',
  commandId: 'cmd-1',
  title: 'Summarise',
  description: null,
  pool: 'default',
  role: null,
  priority: 'HIGH',
  payload: { doc: 42 },
  metadata: {},
  maxAttempts: 3,
  timeoutMs: 60_000,
  projectId: null,
  workflowId: null,
  dependsOn: [],
  ...overrides,
})
const created = (overrides: Partial<Data<'TaskCreated'>> = {}): TaskEvent => ({
  type: 'TaskCreated',
  data: {
    title: 'Summarise',
    description: null,
    pool: 'default',
    role: null,
    priority: 'HIGH',
    payload: '{"doc":42}',
    maxAttempts: 3,
    timeoutMs: 60_000,
    projectId: null,
    workflowId: null,
    dependsOn: [],
    metadata: '{}',
    ...overrides,
  },
})
const queued = (attempt = 1, reason = 'created'): TaskEvent => ({
  type: 'TaskQueued',
  data: { attempt, reason, pool: 'default', priority: 'HIGH' },
})
const claimed = (agentId = 'a1', leaseEpoch = 1, attempt = 1): TaskEvent => ({
  type: 'TaskClaimed',
  data: { agentId, attempt, leaseEpoch, leaseExpiresAt: 31_000 },
})
const started = (agentId = 'a1', leaseEpoch = 1, attempt = 1): TaskEvent => ({
  type: 'TaskStarted',
  data: { agentId, attempt, leaseEpoch },
})
const failed = (attempt = 1, agentId = 'a1'): TaskEvent => ({
  type: 'TaskFailed',
  data: { agentId, attempt, error: 'boom', retryable: true },
})
const retryScheduled = (attempt: number): TaskEvent => ({ type: 'TaskRetryScheduled', data: { attempt, retryAt: 2_000, delayMs: 1_000 } })
const fail = (leaseEpoch = 1, retryable = true) => ({
  type: 'FailTask' as const,
  agentId: 'a1',
  leaseEpoch,
  error: 'boom',
  retryable,
  now: 1_000,
  retryDelayMs: 1_000,
})
const runningOnce = [created(), queued(), started()]
/** The command names the task that will wait (t1 throughout): the decider refuses it as its own dependency. */
const addDependency = (dependencyId: string, taskId = 't1') => ({ type: 'AddTaskDependency' as const, taskId, dependencyId })

describe('task decider: creation and dependencies', () => {
  it('creates and queues a task without dependencies, payload and metadata as JSON text', () => {
    spec
      .given([])
      .when(createTask({ metadata: { team: 'x' } }))
      .then([created({ metadata: '{"team":"x"}' }), queued()])
  })
  it('creates a task with dependencies waiting, not queued', () => {
    spec
      .given([])
      .when(createTask({ dependsOn: ['d1', 'd2'] }))
      .then([created({ dependsOn: ['d1', 'd2'] })])
  })
  it('is a no-op for a repeated create with the same command id, refuses another command', () => {
    spec
      .given([[created(), { commandId: 'cmd-1' }]])
      .when(createTask())
      .then([])
    spec
      .given([[created(), { commandId: 'cmd-1' }]])
      .when(createTask({ commandId: 'cmd-2' }))
      .thenThrows('task.already-exists')
  })
  it('refuses a dependency listed twice', () => {
    spec
      .given([])
      .when(createTask({ dependsOn: ['a', 'a'] }))
      .thenThrows('task.duplicate-dependency')
  })
  it('queues when the last open dependency resolves; resolving again is a no-op', () => {
    const waiting = [created({ dependsOn: ['d1', 'd2'] })]
    spec
      .given(waiting)
      .when({ type: 'ResolveTaskDependency', dependencyId: 'd1' })
      .then([{ type: 'TaskDependencyResolved', data: { dependencyId: 'd1' } }])
    const oneLeft = [...waiting, { type: 'TaskDependencyResolved', data: { dependencyId: 'd1' } } as TaskEvent]
    spec.given(oneLeft).when({ type: 'ResolveTaskDependency', dependencyId: 'd1' }).then([])
    spec
      .given(oneLeft)
      .when({ type: 'ResolveTaskDependency', dependencyId: 'd2' })
      .then([{ type: 'TaskDependencyResolved', data: { dependencyId: 'd2' } }, queued(1, 'dependencies-met')])
  })
  it('adds a dependency to a queued task (it waits again) and removes one (it is queued)', () => {
    spec
      .given([created(), queued()])
      .when(addDependency('d9'))
      .then([{ type: 'TaskDependencyAdded', data: { dependencyId: 'd9' } }])
    const state = spec.given([created(), queued(), { type: 'TaskDependencyAdded', data: { dependencyId: 'd9' } }]).state
    expect(state.exists && state.status).toBe('waiting')
    spec
      .given([created(), queued(), { type: 'TaskDependencyAdded', data: { dependencyId: 'd9' } }])
      .when({ type: 'RemoveTaskDependency', dependencyId: 'd9' })
      .then([{ type: 'TaskDependencyRemoved', data: { dependencyId: 'd9' } }, queued(1, 'dependencies-met')])
  })
  it('refuses dependency changes once started, and a dependency on itself', () => {
    spec.given(runningOnce).when(addDependency('d9')).thenThrows('task.already-started')
    spec.given([created()]).when(addDependency('t1')).thenThrows('task.dependency-cycle')
  })
  it('refuses a self-dependency through taskDecider.decide, with the task id from the command', () => {
    spec.given([created(), queued()]).when(addDependency('t1')).thenThrows('task.dependency-cycle')
    spec
      .given([created({ dependsOn: ['d1'] })])
      .when(addDependency('t7', 't7'))
      .thenThrows('task.dependency-cycle')
    // the same dependency id is fine for another task
    spec
      .given([created(), queued()])
      .when(addDependency('t1', 't2'))
      .then([{ type: 'TaskDependencyAdded', data: { dependencyId: 't1' } }])
  })
  it('refuses to create a task that depends on itself, alone or among others; appends nothing', () => {
    spec
      .given([])
      .when(createTask({ dependsOn: ['t1'] }))
      .thenThrows('task.dependency-cycle')
    spec
      .given([])
      .when(createTask({ dependsOn: ['d1', 't1'] }))
      .thenThrows('task.dependency-cycle')
    spec
      .given([])
      .when(createTask({ taskId: 't2', dependsOn: ['t1'] }))
      .then([created({ dependsOn: ['t1'] })])
  })
})

describe('task decider: claim, start, leases', () => {
  it('claims a queued task with a new fencing epoch and lease', () => {
    spec.given([created(), queued()]).when({ type: 'ClaimTask', agentId: 'a1', leaseMs: 30_000, now: 1_000 }).then([claimed()])
  })
  it('refuses a second claim, a claim of a waiting task, and a claim by an agent it is not assigned to', () => {
    spec
      .given([created(), queued(), claimed()])
      .when({ type: 'ClaimTask', agentId: 'a2', leaseMs: 30_000, now: 1_000 })
      .thenThrows('task.not-claimable')
    spec
      .given([created({ dependsOn: ['d'] })])
      .when({ type: 'ClaimTask', agentId: 'a2', leaseMs: 30_000, now: 1_000 })
      .thenThrows('task.not-claimable')
    spec
      .given([created(), queued(), { type: 'TaskAssigned', data: { agentId: 'a1' } }])
      .when({ type: 'ClaimTask', agentId: 'a2', leaseMs: 1, now: 1 })
      .thenThrows('task.assigned-elsewhere')
  })
  it('starts a queued task from its current dispatch record only', () => {
    spec
      .given([created(), queued()])
      .when({ type: 'StartTask', agentId: 'w1', dispatchVersion: 2, leaseEpoch: null })
      .then([started('w1')])
    spec
      .given([created(), queued()])
      .when({ type: 'StartTask', agentId: 'w1', dispatchVersion: 1, leaseEpoch: null })
      .thenThrows('task.stale-dispatch')
  })
  it('a redelivered start of the same holder is a no-op; another worker is refused', () => {
    spec.given(runningOnce).when({ type: 'StartTask', agentId: 'a1', dispatchVersion: 2, leaseEpoch: null }).then([])
    spec
      .given(runningOnce)
      .when({ type: 'StartTask', agentId: 'w2', dispatchVersion: 2, leaseEpoch: null })
      .thenThrows('task.already-running')
  })
  it('starts a claimed task for its holder with the same epoch, refuses a stale epoch', () => {
    spec
      .given([created(), queued(), claimed()])
      .when({ type: 'StartTask', agentId: 'a1', dispatchVersion: null, leaseEpoch: 1 })
      .then([started()])
    spec
      .given([created(), queued(), claimed()])
      .when({ type: 'StartTask', agentId: 'a1', dispatchVersion: null, leaseEpoch: 0 })
      .thenThrows('task.stale-lease')
  })
  it('expires a lease into a retry with backoff; a reaper with an old epoch changes nothing', () => {
    spec
      .given(runningOnce)
      .when({ type: 'ExpireTaskLease', leaseEpoch: 1, now: 1_000, retryDelayMs: 1_000 })
      .then([{ type: 'TaskLeaseExpired', data: { agentId: 'a1', attempt: 1, leaseEpoch: 1 } }, retryScheduled(2)])
    spec.given(runningOnce).when({ type: 'ExpireTaskLease', leaseEpoch: 0, now: 1_000, retryDelayMs: 1_000 }).then([])
  })
  it('refuses the late completion of an agent whose lease was reaped and re-claimed', () => {
    const history = [
      created(),
      queued(),
      claimed('a1', 1),
      { type: 'TaskLeaseExpired', data: { agentId: 'a1', attempt: 1, leaseEpoch: 1 } } as TaskEvent,
      retryScheduled(2),
      queued(2, 'retry'),
      claimed('a2', 2, 2),
    ]
    spec.given(history).when({ type: 'CompleteTask', agentId: 'a1', leaseEpoch: 1, result: {}, now: 5 }).thenThrows('task.stale-lease')
  })
})

describe('task decider: lapsed and reaped leases', () => {
  const reaped = [
    ...runningOnce,
    { type: 'TaskLeaseExpired', data: { agentId: 'a1', attempt: 1, leaseEpoch: 1 } } as TaskEvent,
    retryScheduled(2),
  ]
  it('refuses to complete or fail under a lease that lapsed before the reaper came', () => {
    spec
      .given(runningOnce)
      .when({ type: 'CompleteTask', agentId: 'a1', leaseEpoch: 1, result: {}, now: 5, leaseLapsed: true })
      .thenThrows('task.stale-lease')
    spec
      .given(runningOnce)
      .when({ ...fail(), leaseLapsed: true })
      .thenThrows('task.stale-lease')
  })
  it('still answers a repeated completion as a no-op once the lease is gone', () => {
    spec
      .given([...runningOnce, { type: 'TaskCompleted', data: { agentId: 'a1', attempt: 1, result: '{}', durationMs: 1 } }])
      .when({ type: 'CompleteTask', agentId: 'a1', leaseEpoch: 1, result: {}, now: 2, leaseLapsed: true })
      .then([])
  })
  it('tells the holder of a reaped epoch its lease is stale, not that the task is not running', () => {
    spec.given(reaped).when({ type: 'CompleteTask', agentId: 'a1', leaseEpoch: 1, result: {}, now: 5 }).thenThrows('task.stale-lease')
    spec.given(reaped).when(fail()).thenThrows('task.stale-lease')
  })
})

describe('task decider: outcomes', () => {
  it('completes a running task with its duration; a repeated completion is a no-op', () => {
    const [c, q, s] = runningOnce
    spec
      .given([c!, q!, [s!, { occurredAt: 1_000 }]])
      .when({ type: 'CompleteTask', agentId: 'a1', leaseEpoch: 1, result: { ok: true }, now: 1_250 })
      .then([{ type: 'TaskCompleted', data: { agentId: 'a1', attempt: 1, result: '{"ok":true}', durationMs: 250 } }])
    spec
      .given([...runningOnce, { type: 'TaskCompleted', data: { agentId: 'a1', attempt: 1, result: '{}', durationMs: 1 } }])
      .when({ type: 'CompleteTask', agentId: 'a1', leaseEpoch: 1, result: {}, now: 2 })
      .then([])
  })
  it('refuses completion of a queued task', () => {
    spec
      .given([created(), queued()])
      .when({ type: 'CompleteTask', agentId: 'a1', leaseEpoch: 0, result: {}, now: 2 })
      .thenThrows('task.not-running')
  })
  it('schedules a retry while attempts remain, then dead-letters', () => {
    spec
      .given(runningOnce)
      .when(fail())
      .then([failed(), retryScheduled(2)])
    const third = [
      ...runningOnce,
      failed(),
      retryScheduled(2),
      queued(2, 'retry'),
      started('a1', 2, 2),
      failed(2),
      retryScheduled(3),
      queued(3, 'retry'),
      started('a1', 3, 3),
    ]
    spec
      .given(third)
      .when(fail(3))
      .then([
        { type: 'TaskFailed', data: { agentId: 'a1', attempt: 3, error: 'boom', retryable: true } },
        { type: 'TaskDeadLettered', data: { attempts: 3, lastError: 'boom', pool: 'default', priority: 'HIGH' } },
      ])
  })
  it('a non-retryable failure ends the task as failed', () => {
    spec
      .given(runningOnce)
      .when(fail(1, false))
      .then([{ type: 'TaskFailed', data: { agentId: 'a1', attempt: 1, error: 'boom', retryable: false } }])
  })
  it('queues a due retry once', () => {
    const scheduled = [...runningOnce, failed(), retryScheduled(2)]
    spec
      .given(scheduled)
      .when({ type: 'QueueTaskRetry', attempt: 2 })
      .then([queued(2, 'retry')])
    spec
      .given([...scheduled, queued(2, 'retry')])
      .when({ type: 'QueueTaskRetry', attempt: 2 })
      .then([])
  })
})

describe('task decider: input, cancel, retry, dead letters', () => {
  const parked = [...runningOnce, { type: 'TaskInputRequested', data: { requestId: 'h1', question: 'ok?' } } as TaskEvent]
  it('parks a running task on an input request and resumes it with the answer', () => {
    spec.given(runningOnce).when({ type: 'RequestTaskInput', requestId: 'h1', question: 'ok?', leaseEpoch: 1 }).then([parked[3]!])
    spec
      .given(parked)
      .when({ type: 'ProvideTaskInput', requestId: 'h1', response: { yes: true } })
      .then([{ type: 'TaskInputReceived', data: { requestId: 'h1', response: '{"yes":true}' } }, queued(1, 'resumed')])
    spec.given(parked).when({ type: 'ProvideTaskInput', requestId: 'other', response: 1 }).thenThrows('task.not-awaiting-input')
  })
  it('cancels any open task once; refuses to cancel a finished one', () => {
    spec
      .given(parked)
      .when({ type: 'CancelTask', reason: 'obsolete' })
      .then([{ type: 'TaskCancelled', data: { reason: 'obsolete' } }])
    spec
      .given([created(), { type: 'TaskCancelled', data: { reason: null } }])
      .when({ type: 'CancelTask', reason: null })
      .then([])
    spec
      .given([...runningOnce, { type: 'TaskCompleted', data: { agentId: 'a1', attempt: 1, result: '{}', durationMs: 1 } }])
      .when({ type: 'CancelTask', reason: null })
      .thenThrows('task.not-cancellable')
  })
  it('progress is refused after cancel and outside 0..100', () => {
    spec
      .given([created(), { type: 'TaskCancelled', data: { reason: null } }])
      .when({ type: 'ReportTaskProgress', percent: 5, message: null })
      .thenThrows('task.finished')
    spec.given([created()]).when({ type: 'ReportTaskProgress', percent: 101, message: null }).thenThrows('task.invalid-progress')
    spec.given([]).when({ type: 'ReportTaskProgress', percent: 1, message: null }).thenThrows('task.not-found')
  })
  it('retries a cancelled task with a fresh budget; refuses to retry a running one', () => {
    spec
      .given([created(), queued(), { type: 'TaskCancelled', data: { reason: null } }])
      .when({ type: 'RetryTask' })
      .then([queued(2, 'manual-retry')])
    spec.given(runningOnce).when({ type: 'RetryTask' }).thenThrows('task.not-retryable')
  })
  it('requeues and purges dead letters only', () => {
    const dead = [
      ...runningOnce,
      failed(),
      { type: 'TaskDeadLettered', data: { attempts: 1, lastError: 'boom', pool: 'default', priority: 'HIGH' } } as TaskEvent,
    ]
    spec
      .given(dead)
      .when({ type: 'RequeueTask' })
      .then([queued(2, 'requeued')])
    spec
      .given(dead)
      .when({ type: 'PurgeTask', reason: 'junk' })
      .then([{ type: 'TaskPurged', data: { reason: 'junk' } }])
    spec
      .given([...dead, { type: 'TaskPurged', data: { reason: null } }])
      .when({ type: 'RequeueTask' })
      .thenThrows('task.not-dead-lettered')
    spec.given(runningOnce).when({ type: 'PurgeTask', reason: null }).thenThrows('task.not-dead-lettered')
  })
  it('a requeued task gets a whole new attempt budget', () => {
    const requeued = spec.given([
      ...runningOnce,
      failed(),
      { type: 'TaskDeadLettered', data: { attempts: 1, lastError: 'boom', pool: 'default', priority: 'HIGH' } },
      queued(2, 'requeued'),
      started('a1', 2, 2),
    ])
    requeued
      .when(fail(2))
      .then([{ type: 'TaskFailed', data: { agentId: 'a1', attempt: 2, error: 'boom', retryable: true } }, retryScheduled(3)])
  })
})

describe('retry policy', () => {
  it('grows exponentially within [base, max] with full jitter', () => {
    const policy = { baseMs: 100, maxMs: 1_000 }
    expect(retryDelayMs(policy, 1, 0.5)).toBe(100)
    expect(retryDelayMs(policy, 3, 0)).toBe(100)
    expect(retryDelayMs(policy, 3, 1)).toBe(400)
    expect(retryDelayMs(policy, 10, 1)).toBe(1_000)
  })
})
