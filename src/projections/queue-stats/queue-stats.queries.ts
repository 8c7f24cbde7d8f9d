import { sql } from 'kysely'
import type { Db } from '../../infra/postgres.ts'
import type { Histogram } from './histogram.ts'
import type { StatsSource, Window } from './queue-stats.summary.ts'

type WindowSums = StatsSource['window']
const emptyWindow = (): WindowSums => ({
  completed: 0,
  failed: 0,
  finished: 0,
  waitCount: 0,
  waitSumMs: 0,
  wait: new Map(),
  execCount: 0,
  execSumMs: 0,
  exec: new Map(),
})
const keyOf = (pool: string, priority: string) => `${pool}\u0000${priority}`

/**
 * Counters and the window's per-minute sums of every (pool, priority), optionally of one pool.
 * Three statements; histograms are summed in SQL and come back sparse, so a week-long window
 * costs no more to transfer than a minute.
 */
export async function readStatsSources(db: Db, window: Window, pool?: string): Promise<StatsSource[]> {
  const since = new Date(window.since)
  const poolFilter = pool === undefined ? sql`true` : sql`pool = ${pool}`
  const [counters, sums, buckets] = await Promise.all([
    db
      .selectFrom('queue_stats_counters')
      .selectAll()
      .$if(pool !== undefined, (q) => q.where('pool', '=', pool ?? ''))
      .execute(),
    sql<{
      pool: string
      priority: string
      completed: number
      failed: number
      finished: number
      wait_count: number
      wait_sum_ms: number
      exec_count: number
      exec_sum_ms: number
    }>`
      select pool, priority, sum(completed)::int8 as completed, sum(failed)::int8 as failed, sum(finished)::int8 as finished,
        sum(wait_count)::int8 as wait_count, sum(wait_sum_ms) as wait_sum_ms, sum(exec_count)::int8 as exec_count, sum(exec_sum_ms) as exec_sum_ms
      from queue_stats_minutes where minute >= ${since} and ${poolFilter} group by pool, priority`.execute(db),
    sql<{ pool: string; priority: string; kind: 'wait' | 'exec'; bucket: number; n: number }>`
      select pool, priority, kind, (i - 1)::int as bucket, sum(c)::int8 as n from (
        select pool, priority, 'wait' as kind, u.c, u.i from queue_stats_minutes m, unnest(m.wait_buckets) with ordinality as u(c, i)
          where minute >= ${since} and ${poolFilter} and m.wait_count > 0
        union all
        select pool, priority, 'exec' as kind, u.c, u.i from queue_stats_minutes m, unnest(m.exec_buckets) with ordinality as u(c, i)
          where minute >= ${since} and ${poolFilter} and m.exec_count > 0
      ) b where c > 0 group by pool, priority, kind, i`.execute(db),
  ])
  const windows = new Map<string, WindowSums>()
  const windowOf = (p: string, q: string): WindowSums => {
    let w = windows.get(keyOf(p, q))
    if (!w) {
      w = emptyWindow()
      windows.set(keyOf(p, q), w)
    }
    return w
  }
  for (const r of sums.rows) {
    Object.assign(windowOf(r.pool, r.priority), {
      completed: Number(r.completed),
      failed: Number(r.failed),
      finished: Number(r.finished),
      waitCount: Number(r.wait_count),
      waitSumMs: Number(r.wait_sum_ms),
      execCount: Number(r.exec_count),
      execSumMs: Number(r.exec_sum_ms),
    })
  }
  for (const r of buckets.rows) (windowOf(r.pool, r.priority)[r.kind] as Histogram).set(r.bucket, Number(r.n))
  const known = new Map(counters.map((c) => [keyOf(c.pool, c.priority), c]))
  // Minutes can exist without counters only in theory (both come from the same batch), but stay safe.
  const keys = new Set([...known.keys(), ...windows.keys()])
  return [...keys].map((k) => {
    const [p = '', q = ''] = k.split('\u0000')
    const c = known.get(k)
    return {
      pool: p,
      priority: q,
      depth: Number(c?.depth ?? 0),
      inFlight: Number(c?.in_flight ?? 0),
      awaitingInput: Number(c?.awaiting_input ?? 0),
      retryScheduled: Number(c?.retry_scheduled ?? 0),
      completed: Number(c?.completed ?? 0),
      failed: Number(c?.failed ?? 0),
      leaseExpired: Number(c?.lease_expired ?? 0),
      deadLettered: Number(c?.dead_lettered ?? 0),
      cancelled: Number(c?.cancelled ?? 0),
      window: windows.get(k) ?? emptyWindow(),
    }
  })
}
