import { describe, expect, it } from 'vitest'
import { retryDelayMs } from '../src/commands/task/retry-policy.ts'
import type { TaskEvent } from '../src/events/generated/event-types.ts'
import type { StoredEvent } from '../src/events/envelope.ts'
import { taskFailuresProjection, type TaskFailureRow } from '../src/projections/task-failures/task-failures.projection.ts'
import { createBackoffTaskDecider, withRetryDelay } from '../src/queue/backoff-decider.ts'
import { priorityOfScore, queueScore } from '../src/queue/queue-score.ts'
import { meta, specFor } from './support/decider-spec.ts'

describe('queue score', () => {
  it('orders by priority first, then by queueing time', () => {
    const entries = [
      ['low-early', queueScore('LOW', 1_000)],
      ['normal-late', queueScore('NORMAL', 9_000_000_000_000)],
      ['critical-late', queueScore('CRITICAL', 1_800_000_000_000)],
      ['critical-early', queueScore('CRITICAL', 1_700_000_000_000)],
      ['high', queueScore('HIGH', 1_700_000_000_001)],
      ['normal-early', queueScore('NORMAL', 5)],
    ] as const
    const sorted = [...entries].sort((a, b) => a[1] - b[1]).map(([name]) => name)
    expect(sorted).toEqual(['critical-early', 'critical-late', 'high', 'normal-early', 'normal-late', 'low-early'])
  })
  it('is exact in a double and maps back to its priority', () => {
    const s = queueScore('LOW', 1_765_000_000_123)
    expect(Number.isSafeInteger(s)).toBe(true)
    expect(s % 1e13).toBe(1_765_000_000_123)
    expect(priorityOfScore(s)).toBe('LOW')
    expect(priorityOfScore(queueScore('CRITICAL', 0))).toBe('CRITICAL')
  })
  it('refuses times it cannot order', () => {
    expect(() => queueScore('HIGH', -1)).toThrow(RangeError)
    expect(() => queueScore('HIGH', 1e13)).toThrow(RangeError)
    expect(() => queueScore('HIGH', 1.5)).toThrow(RangeError)
  })
})

const policy = { baseMs: 100, maxMs: 1_000 }
const created: TaskEvent = {
  type: 'TaskCreated',
  data: {
    title: 'T',
    description: null,
    pool: 'p',
    role: null,
    priority: 'HIGH',
    payload: '{}',
    maxAttempts: 4,
    timeoutMs: 1_000,
    projectId: null,
    workflowId: null,
    dependsOn: [],
    metadata: '{}',
  },
}
const queued = (attempt: number, reason = 'retry'): TaskEvent => ({
  type: 'TaskQueued',
  data: { attempt, reason, pool: 'p', priority: 'HIGH' },
})
const claimed = (attempt: number, leaseEpoch: number): TaskEvent => ({
  type: 'TaskClaimed',
  data: { agentId: 'a', attempt, leaseEpoch, leaseExpiresAt: 5_000 },
})
const failed = (attempt: number): TaskEvent => ({ type: 'TaskFailed', data: { agentId: 'a', attempt, error: 'boom', retryable: true } })
const retry = (attempt: number): TaskEvent => ({ type: 'TaskRetryScheduled', data: { attempt, retryAt: 0, delayMs: 0 } })

describe('backoff decider', () => {
  const spec = specFor(createBackoffTaskDecider(policy))
  it('computes the delay from the failed attempt of the budget and the random number in the command', () => {
    spec
      .given([created, queued(1, 'created'), claimed(1, 1)])
      .when({ type: 'FailTask', agentId: 'a', leaseEpoch: 1, error: 'boom', retryable: true, now: 10_000, random: 0.5 })
      .then([failed(1), { type: 'TaskRetryScheduled', data: { attempt: 2, retryAt: 10_100, delayMs: 100 } }])
    const third = [
      created,
      queued(1, 'created'),
      claimed(1, 1),
      failed(1),
      retry(2),
      queued(2),
      claimed(2, 2),
      failed(2),
      retry(3),
      queued(3),
      claimed(3, 3),
    ]
    spec
      .given(third)
      .when({ type: 'ExpireTaskLease', leaseEpoch: 3, now: 10_000, random: 1 })
      .then([
        { type: 'TaskLeaseExpired', data: { agentId: 'a', attempt: 3, leaseEpoch: 3 } },
        { type: 'TaskRetryScheduled', data: { attempt: 4, retryAt: 10_400, delayMs: 400 } },
      ])
  })
  it('grows the ceiling with every attempt, capped at the maximum, and restarts it with a requeued budget', () => {
    const ceilings = [1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(policy, n, 1))
    expect(ceilings).toEqual([100, 200, 400, 800, 1_000, 1_000])
    const requeued = spec.given([
      created,
      queued(1, 'created'),
      claimed(1, 1),
      failed(1),
      { type: 'TaskDeadLettered', data: { attempts: 1, lastError: 'boom', pool: 'p', priority: 'HIGH' } },
      queued(2, 'requeued'),
      claimed(2, 2),
    ])
    const cmd = withRetryDelay(
      policy,
      { type: 'FailTask', agentId: 'a', leaseEpoch: 2, error: 'x', retryable: true, now: 0, random: 1 },
      requeued.state,
    )
    expect(cmd).toMatchObject({ type: 'FailTask', retryDelayMs: 100 })
    expect('random' in cmd).toBe(false)
  })
  it('passes other commands through unchanged', () => {
    const c = { type: 'QueueTaskRetry' as const, attempt: 2 }
    expect(withRetryDelay(policy, c, { exists: false })).toBe(c)
  })
})

const stored = (version: number, event: TaskEvent): StoredEvent =>
  ({
    ...event,
    aggregateType: 'task',
    meta: meta(version, { aggregateId: 't1' }),
    position: { topic: 'x', partition: 0, offset: String(version) },
  }) as StoredEvent

describe('task failures projection', () => {
  const fold = (events: TaskEvent[]) =>
    events.reduce<TaskFailureRow | undefined>((row, e, i) => taskFailuresProjection.project(row, stored(i + 1, e)), undefined)
  const deadLettered: TaskEvent = {
    type: 'TaskDeadLettered',
    data: { attempts: 2, lastError: 'lease of a expired', pool: 'p', priority: 'HIGH' },
  }
  const history: TaskEvent[] = [
    created,
    queued(1, 'created'),
    claimed(1, 1),
    failed(1),
    retry(2),
    queued(2),
    claimed(2, 2),
    { type: 'TaskLeaseExpired', data: { agentId: 'a', attempt: 2, leaseEpoch: 2 } },
    deadLettered,
  ]

  it('has no row for a task that never failed', () => {
    expect(fold([created, queued(1, 'created'), claimed(1, 1)])).toBeUndefined()
  })
  it('keeps every failed attempt and the dead-letter time', () => {
    const row = fold(history)!
    expect(row).toMatchObject({ task_id: 't1', version: 9, attempts: 2, last_error: 'lease of a expired', purged_at: null })
    expect(row.failures.map((f) => [f.attempt, f.error])).toEqual([
      [1, 'boom'],
      [2, 'lease of a expired'],
    ])
    expect(row.dead_lettered_at).toEqual(new Date(meta(9).occurredAt))
  })
  it('marks a purge and forgets the history when the task is requeued', () => {
    expect(fold([...history, { type: 'TaskPurged', data: { reason: null } }])?.purged_at).toEqual(new Date(meta(10).occurredAt))
    expect(fold([...history, queued(3, 'requeued')])).toBeUndefined()
  })
})
