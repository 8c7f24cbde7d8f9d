import { statusAfter, type TaskStatus } from '../../commands/task/task.lifecycle.ts'
import type { StoredEvent } from '../../events/envelope.ts'
import type { TaskEvent } from '../../events/generated/event-types.ts'
import type { BatchDeltas, CounterField } from './queue-stats.deltas.ts'

/** What the projection remembers of a task to move its gauges: its last status, pool and priority. */
export type StatsTask = Readonly<{
  task_id: string
  pool: string
  priority: string
  status: TaskStatus
  /** epoch ms of the last TaskQueued, until the task starts */
  queued_at: number | null
  /** epoch ms of the last TaskStarted, until the attempt ends */
  started_at: number | null
}>

/** The gauge a status counts in, if any. */
export function gaugeOf(status: TaskStatus): CounterField | undefined {
  switch (status) {
    case 'queued':
      return 'depth'
    case 'claimed':
    case 'running':
      return 'in_flight'
    case 'awaiting_input':
      return 'awaiting_input'
    case 'retry_scheduled':
      return 'retry_scheduled'
    default:
      return undefined
  }
}

/**
 * Folds one task event: returns the task's next row (undefined: forget the task, it can never
 * move again) and records the counter, gauge and per-minute effects into `deltas`. The status
 * follows task.lifecycle.ts; this step adds only what the statistics need on top.
 * Pure; an event for a task the projection does not know changes nothing.
 */
export function stepQueueStats(row: StatsTask | undefined, event: StoredEvent, deltas: BatchDeltas): StatsTask | undefined {
  const at = event.meta.occurredAt
  const moveTo = (from: StatsTask | undefined, next: StatsTask): StatsTask => {
    const before = from && gaugeOf(from.status)
    const after = gaugeOf(next.status)
    if (from && before) deltas.count(from.pool, from.priority, before, -1)
    if (after) deltas.count(next.pool, next.priority, after, 1)
    return next
  }
  if (event.type === 'TaskCreated') {
    const d = event.data
    return moveTo(row, {
      task_id: event.meta.aggregateId,
      pool: d.pool,
      priority: d.priority,
      status: statusAfter('created', event),
      queued_at: null,
      started_at: null,
    })
  }
  if (event.type === 'TaskQueued') {
    const base = row ?? { task_id: event.meta.aggregateId, status: 'created' as const, started_at: null }
    return moveTo(row, {
      ...base,
      pool: event.data.pool,
      priority: event.data.priority,
      status: statusAfter(base.status, event),
      queued_at: at,
      started_at: null,
    })
  }
  if (!row) return undefined
  const { pool, priority } = row
  const next: StatsTask = { ...row, status: statusAfter(row.status, event as TaskEvent) }
  switch (event.type) {
    // An HTTP agent's attempt begins with its claim (it may complete without calling /start), a
    // worker's with TaskStarted: the wait ends and the run begins at whichever comes first.
    case 'TaskClaimed':
    case 'TaskStarted':
      if (row.queued_at !== null) deltas.sample(pool, priority, at, 'wait', at - row.queued_at)
      return moveTo(row, { ...next, queued_at: null, started_at: row.started_at ?? at })
    case 'TaskCompleted':
      deltas.count(pool, priority, 'completed', 1)
      deltas.finish(pool, priority, at, 'completed')
      if (row.started_at !== null) deltas.sample(pool, priority, at, 'exec', at - row.started_at)
      moveTo(row, next)
      return undefined
    case 'TaskFailed':
      deltas.count(pool, priority, 'failed', 1)
      deltas.finish(pool, priority, at, 'failed')
      if (row.started_at !== null) deltas.sample(pool, priority, at, 'exec', at - row.started_at)
      return moveTo(row, { ...next, started_at: null })
    // A lease that expired is its own outcome, not a failure of the task: the attempt is retried.
    case 'TaskLeaseExpired':
      deltas.count(pool, priority, 'lease_expired', 1)
      return moveTo(row, { ...next, started_at: null })
    case 'TaskDeadLettered':
      deltas.count(event.data.pool, event.data.priority, 'dead_lettered', 1)
      return moveTo(row, { ...next, pool: event.data.pool, priority: event.data.priority })
    case 'TaskCancelled':
      deltas.count(pool, priority, 'cancelled', 1)
      return moveTo(row, { ...next, queued_at: null, started_at: null })
    case 'TaskPurged':
      return undefined
    case 'TaskDependencyAdded':
      // Waiting again: its time in the queue restarts with the next TaskQueued.
      return next.status === row.status ? row : moveTo(row, { ...next, queued_at: null })
    default:
      // Claimed, awaiting input, retry scheduled: only the gauges move. Bookkeeping events move nothing.
      return next.status === row.status ? row : moveTo(row, next)
  }
}
