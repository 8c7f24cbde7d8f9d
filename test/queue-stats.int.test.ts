import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CommandContext } from '../src/commands/handle-command.ts'
import type { CreateTask, TaskCommand } from '../src/commands/task/task.commands.ts'
import { taskDecider } from '../src/commands/task/task.decider.ts'
import type { ExistingTask } from '../src/commands/task/task.state.ts'
import type { TaskPriority } from '../src/events/generated/event-types.ts'
import { bucketPrecision } from '../src/projections/queue-stats/histogram.ts'
import type { QueueStats } from '../src/projections/queue-stats/queue-stats.summary.ts'
import { startHarness, waitFor, type Harness } from './support/harness.ts'

type Overview = { window: string; totals: QueueStats; pools: { pool: string; stats: QueueStats }[] }
type PoolStats = { pool: string; totals: QueueStats; priorities: { priority: string; stats: QueueStats }[] }

const near = (actual: number | null, expected: number) => {
  expect(actual).not.toBeNull()
  expect(Math.abs((actual ?? 0) - expected) / expected).toBeLessThanOrEqual(bucketPrecision)
}

describe('queue statistics over HTTP against the real stack', () => {
  let h: Harness
  // The write side's clock: every event's occurredAt is set by the test, inside the current window.
  const base = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 60_000
  let now = base
  let execute: Awaited<ReturnType<Harness['writeSide']>>['execute']
  const ctx = (): CommandContext => ({
    commandId: `cmd-${Math.random().toString(36).slice(2)}`,
    correlationId: 'stats',
    causationId: null,
    actor: 'test',
  })
  const run = async (id: string, command: TaskCommand, at: number) => {
    now = at
    const result = await execute('task', id, taskDecider, command, ctx(), { expectNew: command.type === 'CreateTask' })
    return result.state as ExistingTask
  }
  const create = (id: string, pool: string, priority: TaskPriority, maxAttempts = 3) => {
    const c: CreateTask = {
      type: 'CreateTask',
      taskId: id,
      commandId: `create-${id}`,
      title: id,
      description: null,
      pool,
      role: null,
      priority,
      payload: {},
      metadata: {},
      maxAttempts,
      timeoutMs: 60_000,
      projectId: null,
      workflowId: null,
      dependsOn: [],
    }
    return run(id, c, base)
  }
  const start = (id: string, at: number, leaseEpoch: number | null = null) =>
    run(id, { type: 'StartTask', agentId: 'w1', dispatchVersion: null, leaseEpoch }, at)
  const complete = (id: string, epoch: number, at: number) =>
    run(id, { type: 'CompleteTask', agentId: 'w1', leaseEpoch: epoch, result: null, now: at }, at)
  const fail = (id: string, epoch: number, at: number, retryable: boolean) =>
    run(id, { type: 'FailTask', agentId: 'w1', leaseEpoch: epoch, error: 'boom', retryable, now: at, retryDelayMs: 10 }, at)
  const getJson = async <T>(path: string) => {
    const res = await fetch(`${h.baseUrl}${path}`)
    expect(res.status, path).toBe(200)
    return (await res.json()) as T
  }

  beforeAll(async () => {
    h = await startHarness({ env: { AGENTFLEET_METRICS_SNAPSHOT_INTERVAL_MS: '300' } })
    execute = (await h.writeSide({ clock: () => now })).execute
    // alpha/HIGH: two completed (waits 1 s and 4 s, runs 2 s and 8 s), one still queued
    await create('h1', 'alpha', 'HIGH')
    await create('h2', 'alpha', 'HIGH')
    await create('h3', 'alpha', 'HIGH')
    const h1 = await start('h1', base + 1_000)
    await complete('h1', h1.leaseEpoch, base + 3_000)
    const h2 = await start('h2', base + 4_000)
    await complete('h2', h2.leaseEpoch, base + 12_000)
    // alpha/NORMAL: one claimed and started (in flight); one claimed whose lease expires (retry scheduled)
    await create('n1', 'alpha', 'NORMAL')
    await create('n2', 'alpha', 'NORMAL')
    const n1 = await run('n1', { type: 'ClaimTask', agentId: 'w1', leaseMs: 30_000, now: base + 500 }, base + 500)
    await start('n1', base + 600, n1.leaseEpoch)
    const n2 = await run('n2', { type: 'ClaimTask', agentId: 'w1', leaseMs: 30_000, now: base + 500 }, base + 500)
    await run('n2', { type: 'ExpireTaskLease', leaseEpoch: n2.leaseEpoch, now: base + 40_000, retryDelayMs: 10 }, base + 40_000)
    // alpha/LOW: one non-retryable failure; one that fails twice and is dead-lettered
    await create('l1', 'alpha', 'LOW')
    const l1 = await start('l1', base + 100)
    await fail('l1', l1.leaseEpoch, base + 200, false)
    await create('l2', 'alpha', 'LOW', 2)
    const l2a = await start('l2', base + 100)
    await fail('l2', l2a.leaseEpoch, base + 300, true)
    await run('l2', { type: 'QueueTaskRetry', attempt: 2 }, base + 400)
    const l2b = await start('l2', base + 900)
    await fail('l2', l2b.leaseEpoch, base + 1_900, true)
    // beta: one completed, one cancelled while queued
    await create('b1', 'beta', 'CRITICAL')
    await create('b2', 'beta', 'CRITICAL')
    const b1 = await start('b1', base + 50)
    await complete('b1', b1.leaseEpoch, base + 150)
    await run('b2', { type: 'CancelTask', reason: null }, base + 200)
  })
  afterAll(async () => {
    await h?.stop()
  })

  it('reports gauges, counters, percentiles, failure rate and throughput per pool and priority', async () => {
    const overview = await waitFor(async () => {
      const o = await getJson<Overview>('/api/v1/queue/stats?window=15m')
      return o.totals.completed === 3 &&
        o.totals.deadLettered === 1 &&
        o.totals.cancelled === 1 &&
        o.totals.failed === 3 &&
        o.totals.inFlight === 1
        ? o
        : undefined
    }, 'queue stats to reflect the lifecycle')
    expect(overview.pools.map((p) => p.pool)).toEqual(['alpha', 'beta'])
    expect(overview.totals).toMatchObject({
      depth: 1,
      inFlight: 1,
      retryScheduled: 1,
      completed: 3,
      // The lease expiry is counted apart: it is not a failure of the task.
      failed: 3,
      leaseExpired: 1,
      deadLettered: 1,
      cancelled: 1,
    })
    expect(overview.totals.window).toMatchObject({
      completed: 3,
      failedAttempts: 3,
      finishedAttempts: 6,
      failureRate: 0.5,
      throughputPerMinute: 0.2,
    })

    const alpha = await getJson<PoolStats>('/api/v1/queue/stats/alpha?window=15m')
    expect(alpha.priorities.map((p) => p.priority)).toEqual(['CRITICAL', 'HIGH', 'NORMAL', 'LOW'])
    const by = Object.fromEntries(alpha.priorities.map((p) => [p.priority, p.stats]))
    expect(by.CRITICAL).toMatchObject({ depth: 0, completed: 0, window: { finishedAttempts: 0, failureRate: null } })
    expect(by.HIGH).toMatchObject({ depth: 1, inFlight: 0, completed: 2, failed: 0, window: { completed: 2, failureRate: 0 } })
    near(by.HIGH!.window.waitMs.p50, 1_000)
    near(by.HIGH!.window.waitMs.p95, 4_000)
    expect(by.HIGH!.window.waitMs.avg).toBe(2_500)
    expect(by.HIGH!.window.execMs).toMatchObject({ count: 2, avg: 5_000 })
    near(by.HIGH!.window.execMs.p95, 8_000)
    expect(by.NORMAL).toMatchObject({
      depth: 0,
      inFlight: 1,
      retryScheduled: 1,
      failed: 0,
      leaseExpired: 1,
      window: { failedAttempts: 0, finishedAttempts: 0, failureRate: null },
    })
    // Both claimed attempts are timed, also the one whose agent never called /start: the wait ends at the claim.
    expect(by.NORMAL!.window.waitMs.count).toBe(2)
    near(by.NORMAL!.window.waitMs.p50, 500)
    expect(by.LOW).toMatchObject({
      depth: 0,
      inFlight: 0,
      failed: 3,
      deadLettered: 1,
      completed: 0,
      window: { failedAttempts: 3, finishedAttempts: 3, failureRate: 1 },
    })
    expect(by.LOW!.window.execMs).toMatchObject({ count: 3, avg: 433.3 })
    expect(alpha.totals).toMatchObject({
      depth: 1,
      inFlight: 1,
      completed: 2,
      failed: 3,
      window: { failureRate: 0.6, throughputPerMinute: 0.133 },
    })

    // A window that ends before the events: counters stay, the window is empty.
    const oneMinute = await getJson<PoolStats>('/api/v1/queue/stats/alpha?window=1m')
    expect(oneMinute.totals).toMatchObject({
      completed: 2,
      window: { completed: 0, finishedAttempts: 0, failureRate: null, waitMs: { count: 0, p50: null } },
    })
  })

  it('answers bad input with problem+json', async () => {
    for (const path of [
      '/api/v1/queue/stats?window=abc',
      '/api/v1/queue/stats?window=8d',
      '/api/v1/queue/stats/alpha?window=0m',
      '/api/v1/queue/stats/Not%20A%20Pool',
    ]) {
      const res = await fetch(`${h.baseUrl}${path}`)
      expect(res.status, path).toBe(400)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect(((await res.json()) as { code: string }).code).toBe('request.invalid')
    }
    const unknown = await fetch(`${h.baseUrl}/api/v1/queue/stats/nowhere`)
    expect(unknown.status).toBe(404)
    expect(((await unknown.json()) as { code: string }).code).toBe('queue-pool.not-found')
  })
})
