import { describe, expect, it } from 'vitest'
import {
  TaskStatus,
  heldStatuses,
  leavesQueue,
  priorityOfRank,
  priorityRank,
  queueLeavingEvents,
  statusAfter,
  terminalStatuses,
} from '../src/commands/task/task.lifecycle.ts'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import type { TaskState } from '../src/commands/task/task.state.ts'
import { eventTypesByAggregate, type TaskEvent } from '../src/events/generated/event-types.ts'
import { createBatchDeltas } from '../src/projections/queue-stats/queue-stats.deltas.ts'
import { stepQueueStats, type StatsTask } from '../src/projections/queue-stats/queue-stats.step.ts'
import { tasksProjection, type TaskRow } from '../src/projections/tasks/tasks.projection.ts'
import { meta } from './support/decider-spec.ts'
import { storedTaskEvent } from './support/stored-event.ts'

type TaskEventType = TaskEvent['type']
type Of<T extends TaskEventType> = Extract<TaskEvent, { type: T }>

/** One event of every task event type; the test below fails when a type is added without a rule. */
const events: { [T in TaskEventType]: Of<T> } = {
  TaskCreated: {
    type: 'TaskCreated',
    data: {
      title: 'T',
      description: null,
      pool: 'p',
      role: null,
      priority: 'HIGH',
      payload: '{}',
      maxAttempts: 3,
      timeoutMs: 1_000,
      projectId: null,
      workflowId: null,
      dependsOn: [],
      metadata: '{}',
    },
  },
  TaskQueued: { type: 'TaskQueued', data: { attempt: 1, reason: 'created', pool: 'p', priority: 'HIGH' } },
  TaskDependencyAdded: { type: 'TaskDependencyAdded', data: { dependencyId: 'd1' } },
  TaskDependencyRemoved: { type: 'TaskDependencyRemoved', data: { dependencyId: 'd1' } },
  TaskDependencyResolved: { type: 'TaskDependencyResolved', data: { dependencyId: 'd1' } },
  TaskAssigned: { type: 'TaskAssigned', data: { agentId: 'a1' } },
  TaskClaimed: { type: 'TaskClaimed', data: { agentId: 'a1', attempt: 1, leaseEpoch: 1, leaseExpiresAt: 5_000 } },
  TaskStarted: { type: 'TaskStarted', data: { agentId: 'a1', attempt: 1, leaseEpoch: 1 } },
  TaskProgressReported: { type: 'TaskProgressReported', data: { percent: 50, message: null } },
  TaskInputRequested: { type: 'TaskInputRequested', data: { requestId: 'h1', question: 'ok?' } },
  TaskInputReceived: { type: 'TaskInputReceived', data: { requestId: 'h1', response: 'true' } },
  TaskCompleted: { type: 'TaskCompleted', data: { agentId: 'a1', attempt: 1, result: '{}', durationMs: 1 } },
  TaskFailed: { type: 'TaskFailed', data: { agentId: 'a1', attempt: 1, error: 'boom', retryable: true } },
  TaskLeaseExpired: { type: 'TaskLeaseExpired', data: { agentId: 'a1', attempt: 1, leaseEpoch: 1 } },
  TaskRetryScheduled: { type: 'TaskRetryScheduled', data: { attempt: 2, retryAt: 2_000, delayMs: 1_000 } },
  TaskDeadLettered: { type: 'TaskDeadLettered', data: { attempts: 3, lastError: 'boom', pool: 'p', priority: 'HIGH' } },
  TaskCancelled: { type: 'TaskCancelled', data: { reason: null } },
  TaskPurged: { type: 'TaskPurged', data: { reason: null } },
}
const withDependencies: Of<'TaskCreated'> = { type: 'TaskCreated', data: { ...events.TaskCreated.data, dependsOn: ['d1'] } }

/** given(status).when(event).then(status) over the pure rule. */
const given = (status: TaskStatus) => ({
  when: (event: TaskEvent) => ({
    then: (expected: TaskStatus) => expect(statusAfter(status, event), `${status} + ${event.type}`).toBe(expected),
  }),
})

describe('task lifecycle: statusAfter', () => {
  it('has a fixture for every task event type of the catalog', () => {
    expect(Object.keys(events).sort()).toEqual([...eventTypesByAggregate.task].sort())
  })
  it('TaskCreated: created, or waiting while it has dependencies (whatever came before)', () => {
    given('created').when(events.TaskCreated).then('created')
    given('created').when(withDependencies).then('waiting')
    given('running').when(events.TaskCreated).then('created')
  })
  it('TaskDependencyAdded: a created or queued task waits again; any other status stays', () => {
    given('created').when(events.TaskDependencyAdded).then('waiting')
    given('queued').when(events.TaskDependencyAdded).then('waiting')
    for (const s of TaskStatus.filter((x) => x !== 'created' && x !== 'queued')) given(s).when(events.TaskDependencyAdded).then(s)
  })
  const moves: [TaskEventType, TaskStatus][] = [
    ['TaskQueued', 'queued'],
    ['TaskClaimed', 'claimed'],
    ['TaskStarted', 'running'],
    ['TaskInputRequested', 'awaiting_input'],
    ['TaskCompleted', 'completed'],
    ['TaskFailed', 'failed'],
    ['TaskLeaseExpired', 'failed'],
    ['TaskRetryScheduled', 'retry_scheduled'],
    ['TaskDeadLettered', 'dead_lettered'],
    ['TaskCancelled', 'cancelled'],
  ]
  it.each(moves)('%s moves a task in any status to %s', (type, to) => {
    for (const s of TaskStatus) given(s).when(events[type]).then(to)
  })
  const keeps: TaskEventType[] = [
    'TaskDependencyRemoved',
    'TaskDependencyResolved',
    'TaskAssigned',
    'TaskProgressReported',
    'TaskInputReceived',
    'TaskPurged',
  ]
  it.each(keeps)('%s leaves the status as it is (the decider queues with a TaskQueued of its own)', (type) => {
    for (const s of TaskStatus) given(s).when(events[type]).then(s)
  })
  it('covers every event type exactly once above', () => {
    const covered = ['TaskCreated', 'TaskDependencyAdded', ...moves.map(([t]) => t), ...keeps]
    expect(covered.sort()).toEqual([...eventTypesByAggregate.task].sort())
  })
  it('a whole life: created → waiting → queued → claimed → running → awaiting input → queued → running → failed → retry → dead letter', () => {
    const life: TaskEvent[] = [
      withDependencies,
      events.TaskDependencyResolved,
      events.TaskQueued,
      events.TaskClaimed,
      events.TaskStarted,
      events.TaskInputRequested,
      events.TaskInputReceived,
      events.TaskQueued,
      events.TaskStarted,
      events.TaskFailed,
      events.TaskRetryScheduled,
      events.TaskQueued,
      events.TaskStarted,
      events.TaskLeaseExpired,
      events.TaskDeadLettered,
      events.TaskPurged,
    ]
    const seen = life.reduce<TaskStatus[]>((acc, e) => {
      acc.push(statusAfter(acc.at(-1) ?? 'created', e))
      return acc
    }, [])
    expect(seen).toEqual([
      'waiting',
      'waiting',
      'queued',
      'claimed',
      'running',
      'awaiting_input',
      'awaiting_input',
      'queued',
      'running',
      'failed',
      'retry_scheduled',
      'queued',
      'running',
      'failed',
      'dead_lettered',
      'dead_lettered',
    ])
  })
})

describe('task lifecycle: status sets', () => {
  it('lists the statuses in lifecycle order', () => {
    expect(TaskStatus).toEqual([
      'created',
      'waiting',
      'queued',
      'claimed',
      'running',
      'awaiting_input',
      'retry_scheduled',
      'completed',
      'failed',
      'cancelled',
      'dead_lettered',
    ])
  })
  it('terminal: completed, failed, cancelled, dead_lettered; held: claimed, running', () => {
    expect([...terminalStatuses].sort()).toEqual(['cancelled', 'completed', 'dead_lettered', 'failed'])
    expect([...heldStatuses].sort()).toEqual(['claimed', 'running'])
  })
})

describe('task lifecycle: priority ranks', () => {
  it('ranks CRITICAL first and LOW last; anything else is -1', () => {
    expect(['CRITICAL', 'HIGH', 'NORMAL', 'LOW'].map(priorityRank)).toEqual([0, 1, 2, 3])
    expect(priorityRank('URGENT')).toBe(-1)
    expect(priorityRank('critical')).toBe(-1)
  })
  it('maps a rank back to its priority', () => {
    expect([0, 1, 2, 3].map(priorityOfRank)).toEqual(['CRITICAL', 'HIGH', 'NORMAL', 'LOW'])
    expect(priorityOfRank(4)).toBeUndefined()
    expect(priorityOfRank(-1)).toBeUndefined()
  })
})

describe('task lifecycle: leavesQueue', () => {
  it('is true exactly for the events that take a task out of a pull queue', () => {
    const leaving = eventTypesByAggregate.task.filter(leavesQueue)
    expect([...leaving].sort()).toEqual([
      'TaskCancelled',
      'TaskClaimed',
      'TaskCompleted',
      'TaskDeadLettered',
      'TaskDependencyAdded',
      'TaskFailed',
      'TaskInputRequested',
      'TaskLeaseExpired',
      'TaskPurged',
      'TaskRetryScheduled',
      'TaskStarted',
    ])
    expect([...queueLeavingEvents].sort()).toEqual([...leaving].sort())
  })
  it('agrees with statusAfter: an event leaves the queue iff it moves a queued task out of queued (TaskPurged besides)', () => {
    for (const type of eventTypesByAggregate.task) {
      if (type === 'TaskCreated' || type === 'TaskPurged') continue
      expect(leavesQueue(type), type).toBe(statusAfter('queued', events[type]) !== 'queued')
    }
  })
  it("is false for TaskQueued, TaskCreated and other aggregates' events", () => {
    for (const type of ['TaskQueued', 'TaskCreated', 'AgentRegistered', 'WorkflowStarted', 'nonsense'])
      expect(leavesQueue(type), type).toBe(false)
  })
})

describe('task lifecycle: every reader follows it', () => {
  // One history through the decider's evolve, the tasks projection and the queue-stats step: each
  // status must be the one statusAfter gives.
  const life: TaskEvent[] = [
    events.TaskCreated,
    events.TaskQueued,
    events.TaskDependencyAdded,
    events.TaskDependencyRemoved,
    events.TaskQueued,
    events.TaskAssigned,
    events.TaskClaimed,
    events.TaskStarted,
    events.TaskProgressReported,
    events.TaskInputRequested,
    events.TaskInputReceived,
    events.TaskQueued,
    events.TaskStarted,
    events.TaskFailed,
    events.TaskRetryScheduled,
    events.TaskQueued,
    events.TaskStarted,
    events.TaskLeaseExpired,
    events.TaskDeadLettered,
    events.TaskQueued,
    events.TaskCancelled,
  ]

  it('the decider state, the tasks row and the stats row move through the same statuses', () => {
    let expected: TaskStatus = 'created'
    let state: TaskState = taskDecider.initialState()
    let row: TaskRow | undefined
    let stats: StatsTask | undefined
    life.forEach((event, i) => {
      expected = statusAfter(expected, event)
      state = taskDecider.evolve(state, event, meta(i + 1))
      row = tasksProjection.project(row, storedTaskEvent(i + 1, event.type, event.data as Record<string, unknown>))
      stats = stepQueueStats(stats, storedTaskEvent(i + 1, event.type, event.data as Record<string, unknown>), createBatchDeltas())
      expect(state.exists && state.status, `decider after ${event.type}`).toBe(expected)
      expect(row?.status, `tasks row after ${event.type}`).toBe(expected)
      expect(stats?.status, `queue stats after ${event.type}`).toBe(expected)
    })
  })
})
