import { mergeInto, percentile, type Histogram } from './histogram.ts'
import { minuteOf } from './queue-stats.deltas.ts'

/** Everything known about one pool and priority: counters now plus the window's sums. */
export type StatsSource = Readonly<{
  pool: string
  priority: string
  depth: number
  inFlight: number
  awaitingInput: number
  retryScheduled: number
  completed: number
  failed: number
  leaseExpired: number
  deadLettered: number
  cancelled: number
  window: Readonly<{
    completed: number
    failed: number
    finished: number
    waitCount: number
    waitSumMs: number
    wait: Histogram
    execCount: number
    execSumMs: number
    exec: Histogram
  }>
}>

export type Latency = { count: number; avg: number | null; p50: number | null; p95: number | null }

export type QueueStats = {
  depth: number
  inFlight: number
  awaitingInput: number
  retryScheduled: number
  completed: number
  failed: number
  leaseExpired: number
  deadLettered: number
  cancelled: number
  window: {
    completed: number
    failedAttempts: number
    finishedAttempts: number
    /** failed attempts / finished attempts in the window; null when nothing finished */
    failureRate: number | null
    throughputPerMinute: number
    waitMs: Latency
    execMs: Latency
  }
}

/** A window of whole minutes ending with the current one. */
export type Window = Readonly<{ minutes: number; since: number }>

const units = { m: 1, h: 60, d: 1_440 } as const
export const maxWindowMinutes = 7 * 1_440

/** `15m`, `2h`, `1d` → minutes; undefined if malformed or outside 1 minute … 7 days. */
export function parseWindow(text: string): number | undefined {
  const m = /^(\d{1,5})([mhd])$/.exec(text)
  if (!m) return undefined
  const minutes = Number(m[1]) * units[m[2] as keyof typeof units]
  return minutes >= 1 && minutes <= maxWindowMinutes ? minutes : undefined
}

export const windowEndingAt = (now: number, minutes: number): Window => ({ minutes, since: minuteOf(now) - (minutes - 1) * 60_000 })

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits
const latency = (count: number, sumMs: number, h: Histogram): Latency => ({
  count,
  avg: count === 0 ? null : round(sumMs / count, 1),
  p50: percentile(h, 0.5),
  p95: percentile(h, 0.95),
})

/** Sums sources (a pool's priorities, or every pool) and derives rates and percentiles. */
export function summarize(sources: readonly StatsSource[], window: Window): QueueStats {
  const sum = (pick: (s: StatsSource) => number) => sources.reduce((n, s) => n + pick(s), 0)
  const wait: Histogram = new Map()
  const exec: Histogram = new Map()
  for (const s of sources) {
    mergeInto(wait, s.window.wait)
    mergeInto(exec, s.window.exec)
  }
  const finished = sum((s) => s.window.finished)
  const failedAttempts = sum((s) => s.window.failed)
  const completedInWindow = sum((s) => s.window.completed)
  return {
    depth: sum((s) => s.depth),
    inFlight: sum((s) => s.inFlight),
    awaitingInput: sum((s) => s.awaitingInput),
    retryScheduled: sum((s) => s.retryScheduled),
    completed: sum((s) => s.completed),
    failed: sum((s) => s.failed),
    leaseExpired: sum((s) => s.leaseExpired),
    deadLettered: sum((s) => s.deadLettered),
    cancelled: sum((s) => s.cancelled),
    window: {
      completed: completedInWindow,
      failedAttempts,
      finishedAttempts: finished,
      failureRate: finished === 0 ? null : round(failedAttempts / finished, 4),
      throughputPerMinute: round(completedInWindow / window.minutes, 3),
      waitMs: latency(
        sum((s) => s.window.waitCount),
        sum((s) => s.window.waitSumMs),
        wait,
      ),
      execMs: latency(
        sum((s) => s.window.execCount),
        sum((s) => s.window.execSumMs),
        exec,
      ),
    },
  }
}

/** Groups sources by a key, summarising each group; keys sorted. */
export function summarizeBy(
  sources: readonly StatsSource[],
  window: Window,
  key: (s: StatsSource) => string,
): { key: string; stats: QueueStats }[] {
  const groups = new Map<string, StatsSource[]>()
  for (const s of sources) groups.set(key(s), [...(groups.get(key(s)) ?? []), s])
  return [...groups.keys()].sort().map((k) => ({ key: k, stats: summarize(groups.get(k) ?? [], window) }))
}
