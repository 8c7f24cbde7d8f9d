import { sql } from 'kysely'
import type { Db } from '../../infra/postgres.ts'
import type { Logger } from '../../infra/logger.ts'
import { readStatsSources } from '../queue-stats/queue-stats.queries.ts'
import { summarize, windowEndingAt } from '../queue-stats/queue-stats.summary.ts'
import { readSystemStatus } from './system-status.queries.ts'

export type MetricsSnapshotDeps = Readonly<{
  db: Db
  logger: Logger
  intervalMs: number
  retentionDays: number
  placements: readonly { name: string; group: string }[]
  clock: () => number
}>

/** The slot a snapshot taken at `now` belongs to: processes taking the same slot write one row. */
export const slotOf = (now: number, intervalMs: number): number => Math.floor(now / intervalMs) * intervalMs

/** Queue totals over the whole minutes the interval covers (at least one). */
export const snapshotWindowMinutes = (intervalMs: number): number => Math.max(1, Math.ceil(intervalMs / 60_000))

export async function takeMetricsSnapshot(deps: MetricsSnapshotDeps): Promise<{ takenAt: Date; written: boolean; pruned: number }> {
  const now = deps.clock()
  const takenAt = new Date(slotOf(now, deps.intervalMs))
  const window = windowEndingAt(now, snapshotWindowMinutes(deps.intervalMs))
  const [status, sources] = await Promise.all([readSystemStatus(deps.db, deps.placements, 0), readStatsSources(deps.db, window)])
  const { conflicts, ...rest } = status
  const data = {
    ...rest,
    conflicts: { count: conflicts.count },
    queue: { windowMinutes: window.minutes, totals: summarize(sources, window) },
  }
  const inserted = await deps.db
    .insertInto('metrics_snapshots')
    .values({ taken_at: takenAt, data: JSON.stringify(data) })
    .onConflict((oc) => oc.column('taken_at').doNothing())
    .executeTakeFirst()
  const pruned = await deps.db
    .deleteFrom('metrics_snapshots')
    .where('taken_at', '<', sql<Date>`${new Date(now)}::timestamptz - make_interval(days => ${deps.retentionDays})`)
    .executeTakeFirst()
  return { takenAt, written: Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0, pruned: Number(pruned.numDeletedRows) }
}

/**
 * Takes a snapshot at every interval boundary (and once at start). A failed tick is logged and
 * the loop goes on: the next slot is written when Postgres is back.
 */
export function startMetricsSnapshots(deps: MetricsSnapshotDeps): { stop: () => Promise<void> } {
  const log = deps.logger.child({ part: 'metrics-snapshots' })
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()
  let stopped = false
  const tick = () => {
    running = takeMetricsSnapshot(deps)
      .then((r) => {
        log.debug({ takenAt: r.takenAt.toISOString(), written: r.written, pruned: r.pruned }, 'metrics snapshot')
      })
      .catch((error) => {
        log.warn({ err: error }, 'metrics snapshot failed')
      })
      .finally(() => {
        if (!stopped) schedule()
      })
  }
  const schedule = () => {
    const now = deps.clock()
    timer = setTimeout(tick, slotOf(now, deps.intervalMs) + deps.intervalMs - now)
  }
  tick()
  log.info({ intervalMs: deps.intervalMs, retentionDays: deps.retentionDays }, 'metrics snapshots running')
  return {
    stop: async () => {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}

export type MetricsSnapshotRow = { takenAt: string; data: unknown }

/** The latest `limit` snapshots within [from, to], oldest first. */
export async function readMetricsHistory(db: Db, range: { from?: Date; to?: Date; limit: number }): Promise<MetricsSnapshotRow[]> {
  const rows = await db
    .selectFrom('metrics_snapshots')
    .selectAll()
    .$if(range.from !== undefined, (q) => q.where('taken_at', '>=', range.from ?? new Date(0)))
    .$if(range.to !== undefined, (q) => q.where('taken_at', '<=', range.to ?? new Date(0)))
    .orderBy('taken_at', 'desc')
    .limit(range.limit)
    .execute()
  return rows.reverse().map((r) => ({ takenAt: r.taken_at.toISOString(), data: r.data }))
}
