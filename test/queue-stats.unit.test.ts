import { describe, expect, it } from 'vitest'
import type { StoredEvent } from '../src/events/envelope.ts'
import type { TaskEvent } from '../src/events/generated/event-types.ts'
import {
  bucketCount,
  bucketOf,
  bucketPrecision,
  bucketValue,
  percentile,
  toDense,
  type Histogram,
} from '../src/projections/queue-stats/histogram.ts'
import { createBatchDeltas } from '../src/projections/queue-stats/queue-stats.deltas.ts'
import { stepQueueStats, type StatsTask } from '../src/projections/queue-stats/queue-stats.step.ts'
import { parseWindow, summarize, windowEndingAt, type StatsSource } from '../src/projections/queue-stats/queue-stats.summary.ts'

const t0 = Date.UTC(2030, 0, 1, 12, 0, 0)
let version = 0
const ev = (id: string, e: TaskEvent, at: number): StoredEvent =>
  ({
    ...e,
    aggregateType: 'task',
    position: { topic: 't', partition: 0, offset: String(version) },
    meta: {
      eventId: `e${++version}`,
      aggregateId: id,
      version,
      occurredAt: at,
      commandId: 'c',
      correlationId: 'c',
      causationId: null,
      actor: 'test',
    },
  }) as StoredEvent
const created = (pool = 'p', priority: 'HIGH' | 'LOW' = 'HIGH', dependsOn: string[] = []): TaskEvent => ({
  type: 'TaskCreated',
  data: {
    title: 't',
    description: null,
    pool,
    role: null,
    priority,
    payload: '{}',
    maxAttempts: 3,
    timeoutMs: 1000,
    projectId: null,
    workflowId: null,
    dependsOn,
    metadata: '{}',
  },
})
const queued = (pool = 'p', priority: 'HIGH' | 'LOW' = 'HIGH', attempt = 1): TaskEvent => ({
  type: 'TaskQueued',
  data: { attempt, reason: 'created', pool, priority },
})
const started: TaskEvent = { type: 'TaskStarted', data: { agentId: 'a', attempt: 1, leaseEpoch: 1 } }
const completed: TaskEvent = { type: 'TaskCompleted', data: { agentId: 'a', attempt: 1, result: 'null', durationMs: 0 } }
const failed: TaskEvent = { type: 'TaskFailed', data: { agentId: 'a', attempt: 1, error: 'x', retryable: true } }

const fold = (events: readonly StoredEvent[], start: Map<string, StatsTask | undefined> = new Map()) => {
  const deltas = createBatchDeltas()
  for (const e of events) start.set(e.meta.aggregateId, stepQueueStats(start.get(e.meta.aggregateId), e, deltas))
  return { tasks: start, counters: deltas.counters(), minutes: deltas.minutes() }
}

describe('histogram buckets', () => {
  it('puts every value in a bucket whose representative is within the stated precision', () => {
    for (const ms of [1, 1.5, 2, 7, 100, 999, 1_000, 12_345, 3_600_000]) {
      const v = bucketValue(bucketOf(ms))
      expect(Math.abs(v - ms) / ms).toBeLessThanOrEqual(bucketPrecision + 1e-9)
    }
    expect(bucketOf(0)).toBe(0)
    expect(bucketOf(0.4)).toBe(0)
    expect(bucketOf(1e12)).toBe(bucketCount - 1)
    expect(bucketOf(16)).toBe(17)
    expect(bucketOf(15.99)).toBe(16)
  })

  it('reads nearest-rank percentiles; empty is null', () => {
    const h: Histogram = new Map()
    for (let i = 1; i <= 100; i++) h.set(bucketOf(i * 10), (h.get(bucketOf(i * 10)) ?? 0) + 1)
    const p50 = percentile(h, 0.5) ?? 0
    const p95 = percentile(h, 0.95) ?? 0
    expect(Math.abs(p50 - 500) / 500).toBeLessThanOrEqual(bucketPrecision + 1e-3)
    expect(Math.abs(p95 - 950) / 950).toBeLessThanOrEqual(bucketPrecision + 1e-3)
    expect(percentile(new Map(), 0.5)).toBeNull()
    expect(toDense(new Map([[3, 2]]))).toHaveLength(bucketCount)
    expect(toDense(new Map([[3, 2]]))[3]).toBe(2)
  })
})

describe('queue-stats per-event deltas', () => {
  it('moves gauges from queued to in flight to done, and samples wait and run time', () => {
    const { tasks, counters, minutes } = fold([
      ev('a', created(), t0),
      ev('a', queued(), t0),
      ev('a', started, t0 + 2_000),
      ev('a', completed, t0 + 5_000),
      ev('b', created(), t0),
      ev('b', queued(), t0),
    ])
    expect(counters).toEqual([
      {
        pool: 'p',
        priority: 'HIGH',
        depth: 1,
        in_flight: 0,
        awaiting_input: 0,
        retry_scheduled: 0,
        completed: 1,
        failed: 0,
        lease_expired: 0,
        dead_lettered: 0,
        cancelled: 0,
      },
    ])
    expect(tasks.get('a')).toBeUndefined()
    expect(tasks.get('b')).toMatchObject({ status: 'queued', queued_at: t0 })
    expect(minutes).toHaveLength(1)
    expect(minutes[0]).toMatchObject({
      minute: t0,
      completed: 1,
      finished: 1,
      failed: 0,
      wait_count: 1,
      wait_sum_ms: 2_000,
      exec_count: 1,
      exec_sum_ms: 3_000,
    })
    expect(minutes[0]!.wait.get(bucketOf(2_000))).toBe(1)
  })

  it('counts failed attempts, retries, lease expiry (apart from failures) and dead letters per pool and priority; a claim ends the wait', () => {
    const { counters, minutes } = fold([
      ev('c', created('q', 'LOW'), t0),
      ev('c', queued('q', 'LOW'), t0),
      ev('c', started, t0 + 10),
      ev('c', failed, t0 + 70_000),
      ev('c', { type: 'TaskRetryScheduled', data: { attempt: 2, retryAt: t0, delayMs: 1 } }, t0 + 70_000),
      ev('c', queued('q', 'LOW', 2), t0 + 71_000),
      ev('c', { type: 'TaskClaimed', data: { agentId: 'a', attempt: 2, leaseEpoch: 2, leaseExpiresAt: 0 } }, t0 + 72_000),
      ev('c', { type: 'TaskLeaseExpired', data: { agentId: 'a', attempt: 2, leaseEpoch: 2 } }, t0 + 80_000),
      ev('c', { type: 'TaskDeadLettered', data: { attempts: 2, lastError: 'x', pool: 'q', priority: 'LOW' } }, t0 + 80_000),
    ])
    expect(counters).toEqual([
      {
        pool: 'q',
        priority: 'LOW',
        depth: 0,
        in_flight: 0,
        awaiting_input: 0,
        retry_scheduled: 0,
        completed: 0,
        failed: 1,
        lease_expired: 1,
        dead_lettered: 1,
        cancelled: 0,
      },
    ])
    const second = minutes.find((m) => m.minute === t0 + 60_000)
    // The claimed attempt (an HTTP agent that never called /start) waited 1 s in the queue.
    expect(second).toMatchObject({ failed: 1, finished: 1, exec_count: 1, exec_sum_ms: 69_990, wait_count: 1, wait_sum_ms: 1_000 })
  })

  it('follows waiting, input requests and cancellation; ignores unknown tasks', () => {
    const { counters, tasks } = fold([
      ev('d', created('p', 'HIGH', ['x']), t0),
      ev('e', created(), t0),
      ev('e', queued(), t0),
      ev('e', started, t0),
      ev('e', { type: 'TaskInputRequested', data: { requestId: 'r', question: '?' } }, t0),
      ev('f', created(), t0),
      ev('f', queued(), t0),
      ev('f', { type: 'TaskCancelled', data: { reason: null } }, t0),
      ev('ghost', started, t0),
    ])
    expect(counters).toEqual([
      {
        pool: 'p',
        priority: 'HIGH',
        depth: 0,
        in_flight: 0,
        awaiting_input: 1,
        retry_scheduled: 0,
        completed: 0,
        failed: 0,
        lease_expired: 0,
        dead_lettered: 0,
        cancelled: 1,
      },
    ])
    expect(tasks.get('d')?.status).toBe('waiting')
    expect(tasks.get('ghost')).toBeUndefined()
  })

  it('continues from the rows of an earlier batch: gauges net out across batches', () => {
    const first = fold([ev('g', created(), t0), ev('g', queued(), t0)])
    const second = fold([ev('g', started, t0 + 500)], first.tasks)
    expect(second.counters).toEqual([expect.objectContaining({ depth: -1, in_flight: 1 })])
    expect(second.minutes[0]).toMatchObject({ wait_count: 1, wait_sum_ms: 500 })
  })
})

describe('summaries', () => {
  const source = (priority: string, waits: number[], completed: number, failedN: number): StatsSource => {
    const wait: Histogram = new Map()
    for (const w of waits) wait.set(bucketOf(w), (wait.get(bucketOf(w)) ?? 0) + 1)
    return {
      pool: 'p',
      priority,
      depth: 2,
      inFlight: 1,
      awaitingInput: 0,
      retryScheduled: 0,
      completed,
      failed: failedN,
      leaseExpired: 0,
      deadLettered: 0,
      cancelled: 0,
      window: {
        completed,
        failed: failedN,
        finished: completed + failedN,
        waitCount: waits.length,
        waitSumMs: waits.reduce((a, b) => a + b, 0),
        wait,
        execCount: 0,
        execSumMs: 0,
        exec: new Map(),
      },
    }
  }
  it('sums sources, merges histograms and derives failure rate and throughput', () => {
    const s = summarize([source('HIGH', [100, 100, 100], 6, 2), source('LOW', [1_000], 4, 0)], windowEndingAt(t0, 10))
    expect(s).toMatchObject({ depth: 4, inFlight: 2, completed: 10, failed: 2 })
    expect(s.window).toMatchObject({ completed: 10, failedAttempts: 2, finishedAttempts: 12, failureRate: 0.1667, throughputPerMinute: 1 })
    expect(s.window.waitMs.count).toBe(4)
    expect(s.window.waitMs.avg).toBe(325)
    expect(Math.abs((s.window.waitMs.p50 ?? 0) - 100) / 100).toBeLessThanOrEqual(bucketPrecision)
    expect(Math.abs((s.window.waitMs.p95 ?? 0) - 1_000) / 1_000).toBeLessThanOrEqual(bucketPrecision)
    expect(summarize([], windowEndingAt(t0, 1)).window.failureRate).toBeNull()
  })
  it('parses windows', () => {
    expect(parseWindow('15m')).toBe(15)
    expect(parseWindow('2h')).toBe(120)
    expect(parseWindow('7d')).toBe(10_080)
    for (const bad of ['0m', '8d', '15', 'm', '1.5h', '-1m', '15 m']) expect(parseWindow(bad)).toBeUndefined()
    expect(windowEndingAt(t0 + 30_000, 15).since).toBe(t0 - 14 * 60_000)
  })
})
