import type { Submission } from './ledger.ts'
import { info, none, type Check } from './report.ts'
import type { TaskHistory } from './task-log.ts'

export type TaskRow = Readonly<{ id: string; status: string; attempt: number }>

/** The status each kind of submission must end in. */
const finalStatus = (s: Submission) => (s.kind === 'lease-probe' ? 'dead_lettered' : 'completed')
const terminal = new Set(['completed', 'failed', 'cancelled', 'dead_lettered'])

const count = <T>(items: readonly T[], key: (t: T) => string) => {
  const m = new Map<string, number>()
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1)
  return [...m].map(([k, n]) => `${k} ${n}`).join(', ')
}

/**
 * What the clients were told against what the log and the read model hold: nothing acknowledged
 * is missing, no submission became two tasks, no task completed twice, every task finished.
 */
export function taskChecks(
  submissions: readonly Submission[],
  histories: ReadonlyMap<string, TaskHistory>,
  rows: ReadonlyMap<string, TaskRow>,
): Check[] {
  const acked = submissions.filter((s) => s.outcome?.kind === 'acknowledged')
  const idOf = (s: Submission) => (s.outcome?.kind === 'acknowledged' ? s.outcome.taskId : '')
  const rejected = submissions.filter((s) => s.outcome?.kind === 'rejected')
  const unanswered = submissions.filter((s) => s.outcome === undefined || s.outcome.kind === 'unanswered')
  const tasksBySid = new Map<string, string[]>()
  for (const h of histories.values()) if (h.sid) tasksBySid.set(h.sid, [...(tasksBySid.get(h.sid) ?? []), h.id])

  const lostInLog = acked.filter((s) => !histories.get(idOf(s))?.types.includes('TaskCreated'))
  const lostInReadModel = acked.filter((s) => !rows.has(idOf(s)))
  const duplicated = submissions.filter((s) => (tasksBySid.get(s.sid)?.length ?? 0) > 1)
  const completedTwice = [...histories.values()].filter((h) => h.completed > 1)
  const unfinished = acked.filter((s) => !terminal.has(rows.get(idOf(s))?.status ?? 'missing'))
  const parked = acked.filter((s) => {
    const status = rows.get(idOf(s))?.status
    return status !== undefined && terminal.has(status) && status !== finalStatus(s)
  })
  const createdUnanswered = unanswered.filter((s) => tasksBySid.has(s.sid))
  const statusOf = (s: Submission) => rows.get(idOf(s))?.status ?? 'no row'
  const slowest = acked.reduce((m, s) => Math.max(m, s.outcome?.kind === 'acknowledged' ? s.outcome.ms : 0), 0)
  const retried = acked.filter((s) => s.outcome?.kind === 'acknowledged' && s.outcome.tries > 1)

  return [
    info('submitted', `${submissions.length} (${count(submissions, (s) => s.kind)})`),
    info(
      'acknowledged (2xx)',
      `${acked.length}; ${retried.length} after retries; slowest answer ${(slowest / 1000).toFixed(1)} s after its first try`,
    ),
    none(
      'rejected (4xx, not a retry signal)',
      rejected.length,
      rejected.map((s) => `${s.sid}: ${s.outcome?.kind === 'rejected' ? `${s.outcome.status} ${s.outcome.code}` : ''}`),
    ),
    none(
      'unanswered when the run ended',
      unanswered.length,
      unanswered.map(
        (s) => `${s.sid}: ${s.outcome?.kind === 'unanswered' ? `${s.outcome.tries} tries, last ${s.outcome.last}` : 'pending'}`,
      ),
      createdUnanswered.length > 0 ? ` (${createdUnanswered.length} of them created)` : '',
    ),
    none(
      'lost: acknowledged, not in the log',
      lostInLog.length,
      lostInLog.map((s) => `${s.sid} → ${idOf(s)}`),
    ),
    none(
      'lost: acknowledged, not in the read model',
      lostInReadModel.length,
      lostInReadModel.map((s) => `${s.sid} → ${idOf(s)}`),
    ),
    none(
      'duplicated: one submission, several tasks',
      duplicated.length,
      duplicated.map((s) => `${s.sid}: ${tasksBySid.get(s.sid)!.join(', ')}`),
    ),
    none(
      'duplicated: TaskCompleted more than once',
      completedTwice.length,
      completedTwice.map((h) => `${h.sid} ${h.id}: ${h.types.join(' ')}`),
    ),
    info('finished', `${acked.length - unfinished.length - parked.length} of ${acked.length} acknowledged (${count(acked, statusOf)})`),
    none(
      'stuck: not finished by the deadline',
      unfinished.length,
      unfinished.map((s) => `${s.sid} ${idOf(s)}: ${statusOf(s)}; log: ${histories.get(idOf(s))?.types.join(' ') ?? 'nothing'}`),
      unfinished.length > 0 ? ` (${count(unfinished, statusOf)})` : '',
    ),
    none(
      'parked: dead-lettered, failed or cancelled',
      parked.length,
      parked.map((s) => `${s.sid} ${idOf(s)}: ${statusOf(s)}; log: ${histories.get(idOf(s))?.types.join(' ') ?? 'nothing'}`),
      parked.length > 0 ? ` (${count(parked, statusOf)})` : '',
    ),
  ]
}
