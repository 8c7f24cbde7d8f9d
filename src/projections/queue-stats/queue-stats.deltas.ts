import { addSample, type Histogram } from './histogram.ts'

/** Gauges (tasks in a status now) and counters (events so far) of one pool and priority. */
export const counterFields = [
  'depth',
  'in_flight',
  'awaiting_input',
  'retry_scheduled',
  'completed',
  'failed',
  'lease_expired',
  'dead_lettered',
  'cancelled',
] as const
export type CounterField = (typeof counterFields)[number]

export type CounterDelta = { pool: string; priority: string } & Record<CounterField, number>

/** What finished in one minute of one pool and priority; histograms of wait and run times. */
export type MinuteDelta = {
  pool: string
  priority: string
  /** start of the minute, epoch ms */
  minute: number
  completed: number
  failed: number
  finished: number
  wait_count: number
  wait_sum_ms: number
  wait: Histogram
  exec_count: number
  exec_sum_ms: number
  exec: Histogram
}

export const minuteOf = (epochMs: number): number => Math.floor(epochMs / 60_000) * 60_000

const byKey = <T extends { pool: string; priority: string; minute?: number }>(a: T, b: T): number =>
  a.pool < b.pool
    ? -1
    : a.pool > b.pool
      ? 1
      : a.priority < b.priority
        ? -1
        : a.priority > b.priority
          ? 1
          : (a.minute ?? 0) - (b.minute ?? 0)

/**
 * Sums one batch's effects per key, so the batch writes each counter row and each minute row
 * once. Rows come out sorted by key: concurrent partitions then lock shared rows in the same
 * order and cannot deadlock each other.
 */
export function createBatchDeltas() {
  const counters = new Map<string, CounterDelta>()
  const minutes = new Map<string, MinuteDelta>()

  const counterRow = (pool: string, priority: string): CounterDelta => {
    const key = `${pool}\u0000${priority}`
    let row = counters.get(key)
    if (!row) {
      row = { pool, priority, ...Object.fromEntries(counterFields.map((f) => [f, 0])) } as CounterDelta
      counters.set(key, row)
    }
    return row
  }
  const minuteRow = (pool: string, priority: string, at: number): MinuteDelta => {
    const minute = minuteOf(at)
    const key = `${pool}\u0000${priority}\u0000${minute}`
    let row = minutes.get(key)
    if (!row) {
      row = {
        pool,
        priority,
        minute,
        completed: 0,
        failed: 0,
        finished: 0,
        wait_count: 0,
        wait_sum_ms: 0,
        wait: new Map(),
        exec_count: 0,
        exec_sum_ms: 0,
        exec: new Map(),
      }
      minutes.set(key, row)
    }
    return row
  }

  return {
    count(pool: string, priority: string, field: CounterField, by: number): void {
      counterRow(pool, priority)[field] += by
    },
    /** A finished attempt at `at`: completed, or failed (including an expired lease). */
    finish(pool: string, priority: string, at: number, outcome: 'completed' | 'failed'): void {
      const row = minuteRow(pool, priority, at)
      row[outcome] += 1
      row.finished += 1
    },
    sample(pool: string, priority: string, at: number, kind: 'wait' | 'exec', ms: number): void {
      const row = minuteRow(pool, priority, at)
      const value = Math.max(0, ms)
      row[`${kind}_count`] += 1
      row[`${kind}_sum_ms`] += value
      addSample(row[kind], value)
    },
    /** Non-zero counter deltas, sorted by key. */
    counters: (): CounterDelta[] => [...counters.values()].filter((r) => counterFields.some((f) => r[f] !== 0)).sort(byKey),
    minutes: (): MinuteDelta[] => [...minutes.values()].sort(byKey),
  }
}

export type BatchDeltas = ReturnType<typeof createBatchDeltas>
