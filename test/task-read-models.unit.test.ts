import { describe, expect, it } from 'vitest'
import { historyRow } from '../src/projections/history/aggregate-events.projection.ts'
import { projectAttempt, type AttemptRow } from '../src/projections/tasks/task-attempts.projection.ts'
import { foldDependencyEdges } from '../src/projections/tasks/task-dependencies.projection.ts'
import { storedTaskEvent as stored } from './support/stored-event.ts'

const at = (version: number) => new Date(1_700_000_000_000 + version)
const queued = (v: number, attempt = 1) => stored(v, 'TaskQueued', { attempt, reason: 'created', pool: 'p', priority: 'LOW' })
const run = (...events: ReturnType<typeof stored>[]) => events.reduce<AttemptRow | undefined>((r, e) => projectAttempt(r, e), undefined)

describe('task_dependencies fold', () => {
  it('keeps the last state of each edge: created, added, resolved, removed', () => {
    const edges = foldDependencyEdges([
      stored(1, 'TaskCreated', { dependsOn: ['a', 'b'] }),
      stored(2, 'TaskDependencyAdded', { dependencyId: 'c' }),
      stored(3, 'TaskDependencyResolved', { dependencyId: 'a' }),
      stored(4, 'TaskDependencyRemoved', { dependencyId: 'b' }),
      stored(1, 'TaskDependencyAdded', { dependencyId: 'a' }, 't2'),
      stored(5, 'TaskProgressReported', { percent: 1, message: null }),
    ])
    expect(edges).toEqual([
      { task_id: 't1', depends_on_id: 'a', resolved: true, deleted: false },
      { task_id: 't1', depends_on_id: 'b', resolved: false, deleted: true },
      { task_id: 't1', depends_on_id: 'c', resolved: false, deleted: false },
      { task_id: 't2', depends_on_id: 'a', resolved: false, deleted: false },
    ])
  })
})

describe('task_attempts fold', () => {
  it('a run from queued through claim and start to completion', () => {
    expect(
      run(
        queued(2),
        stored(3, 'TaskClaimed', { agentId: 'a1', attempt: 1, leaseEpoch: 1, leaseExpiresAt: 0 }),
        stored(4, 'TaskStarted', { agentId: 'a1', attempt: 1, leaseEpoch: 1 }),
        stored(5, 'TaskCompleted', { agentId: 'a1', attempt: 1, result: 'null', durationMs: 1 }),
      ),
    ).toEqual({
      task_id: 't1',
      queued_version: 2,
      attempt: 1,
      agent_id: 'a1',
      queued_at: at(2),
      claimed_at: at(3),
      started_at: at(4),
      ended_at: at(5),
      outcome: 'completed',
      error: null,
      duration_ms: 1,
    })
  })

  it('failed, lease-expired, input-requested and cancelled end the open run', () => {
    const started = [queued(2), stored(3, 'TaskStarted', { agentId: 'w', attempt: 1, leaseEpoch: 1 })]
    expect(run(...started, stored(13, 'TaskFailed', { agentId: 'w', attempt: 1, error: 'boom', retryable: true }))).toMatchObject({
      outcome: 'failed',
      error: 'boom',
      duration_ms: 10,
      ended_at: at(13),
    })
    expect(run(...started, stored(4, 'TaskLeaseExpired', { agentId: 'w', attempt: 1, leaseEpoch: 1 }))).toMatchObject({
      outcome: 'lease-expired',
      error: 'lease of w expired',
    })
    expect(run(...started, stored(4, 'TaskInputRequested', { requestId: 'r', question: '?' }))).toMatchObject({
      outcome: 'input-requested',
      error: null,
    })
    expect(run(queued(2), stored(4, 'TaskCancelled', { reason: 'stop' }))).toMatchObject({
      outcome: 'cancelled',
      error: 'stop',
      duration_ms: null,
    })
  })

  it('a new TaskQueued opens a new run; events after the end change nothing; unrelated events keep the row', () => {
    const first = run(queued(2), stored(3, 'TaskFailed', { agentId: null, attempt: 1, error: 'x', retryable: true }))!
    expect(projectAttempt(first, stored(4, 'TaskCancelled', { reason: null }))).toBe(first)
    expect(projectAttempt(first, queued(5, 2))).toMatchObject({ queued_version: 5, attempt: 2, outcome: null })
    expect(projectAttempt(undefined, stored(3, 'TaskStarted', { agentId: 'w', attempt: 1, leaseEpoch: 1 }))).toBeUndefined()
    const open = run(queued(2))!
    expect(projectAttempt(open, stored(3, 'TaskProgressReported', { percent: 5, message: null }))).toBe(open)
  })
})

describe('aggregate_events rows', () => {
  it('carry stream, version, type, decoded data, meta and the log position', () => {
    const e = stored(7, 'TaskProgressReported', { percent: 5, message: 'm' })
    expect(historyRow(e)).toEqual({
      stream: 'task:t1',
      version: 7,
      aggregate_type: 'task',
      aggregate_id: 't1',
      event_id: 'e7',
      event_type: 'TaskProgressReported',
      data: { percent: 5, message: 'm' },
      meta: e.meta,
      occurred_at: at(7),
      topic: 'x',
      partition: 0,
      offset: 7,
    })
  })
})
