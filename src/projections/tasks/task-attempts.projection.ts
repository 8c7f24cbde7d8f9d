import { sql } from 'kysely'
import type { StoredEvent } from '../../events/envelope.ts'
import type { TaskEvent } from '../../events/generated/event-types.ts'
import type { AttemptOutcome } from '../../database/schema.ts'
import type { SqlProjection } from '../projection.ts'

/** One run of a task: from a TaskQueued to the event that ended it. */
export type AttemptRow = {
  task_id: string
  queued_version: number
  attempt: number
  agent_id: string | null
  queued_at: Date
  claimed_at: Date | null
  started_at: Date | null
  ended_at: Date | null
  outcome: AttemptOutcome | null
  error: string | null
  duration_ms: number | null
}

const ended = (row: AttemptRow, at: Date, outcome: AttemptOutcome, error: string | null, durationMs?: number): AttemptRow => ({
  ...row,
  ended_at: at,
  outcome,
  error,
  duration_ms: durationMs ?? (row.started_at ? Math.max(0, at.getTime() - row.started_at.getTime()) : null),
})

/**
 * Pure: the task's latest run after one event. TaskQueued opens a new run (a resumed attempt
 * after human input is a run of its own, with the same attempt number); later events fill or
 * end the open run. Returns `latest` untouched when the event does not concern runs.
 */
export function projectAttempt(latest: AttemptRow | undefined, event: StoredEvent): AttemptRow | undefined {
  const at = new Date(event.meta.occurredAt)
  const e = event as unknown as TaskEvent
  if (e.type === 'TaskQueued') {
    return {
      task_id: event.meta.aggregateId,
      queued_version: event.meta.version,
      attempt: e.data.attempt,
      agent_id: null,
      queued_at: at,
      claimed_at: null,
      started_at: null,
      ended_at: null,
      outcome: null,
      error: null,
      duration_ms: null,
    }
  }
  if (!latest || latest.ended_at !== null) return latest
  switch (e.type) {
    case 'TaskClaimed':
      return { ...latest, agent_id: e.data.agentId, claimed_at: at }
    case 'TaskStarted':
      return { ...latest, agent_id: e.data.agentId, started_at: at }
    case 'TaskCompleted':
      return ended({ ...latest, agent_id: e.data.agentId }, at, 'completed', null, e.data.durationMs)
    case 'TaskFailed':
      return ended({ ...latest, agent_id: e.data.agentId ?? latest.agent_id }, at, 'failed', e.data.error)
    case 'TaskLeaseExpired':
      return ended(latest, at, 'lease-expired', `lease of ${e.data.agentId} expired`)
    case 'TaskInputRequested':
      return ended(latest, at, 'input-requested', null)
    case 'TaskCancelled':
      return ended(latest, at, 'cancelled', e.data.reason)
    default:
      return latest
  }
}

/** task_attempts: every run of every task, for the attempts endpoint and wait/run statistics. */
export const taskAttemptsProjection: SqlProjection = {
  kind: 'sql',
  name: 'task-attempts',
  aggregates: ['task'],
  tables: ['task_attempts'],
  async apply(tx, events) {
    const taskIds = [...new Set(events.map((e) => e.meta.aggregateId))]
    const current = await tx
      .selectFrom('task_attempts')
      .selectAll()
      .distinctOn('task_id')
      .where('task_id', 'in', taskIds)
      .orderBy('task_id')
      .orderBy('queued_version', 'desc')
      .execute()
    const latest = new Map<string, AttemptRow>(current.map((r) => [r.task_id, r as AttemptRow]))
    const touched = new Map<string, AttemptRow>()
    for (const event of events) {
      const before = latest.get(event.meta.aggregateId)
      const after = projectAttempt(before, event)
      if (after && after !== before) {
        latest.set(after.task_id, after)
        touched.set(`${after.task_id}\u0000${after.queued_version}`, after)
      }
    }
    if (touched.size === 0) return
    const columns = ['attempt', 'agent_id', 'claimed_at', 'started_at', 'ended_at', 'outcome', 'error', 'duration_ms'] as const
    await tx
      .insertInto('task_attempts')
      .values([...touched.values()])
      .onConflict((oc) =>
        oc.columns(['task_id', 'queued_version']).doUpdateSet(Object.fromEntries(columns.map((c) => [c, sql.ref(`excluded.${c}`)]))),
      )
      .execute()
  },
}
