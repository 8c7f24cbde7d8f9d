import { info, none, type Check } from './report.ts'
import type { Run, SideEffects } from './side-effects.ts'
import type { TaskHistory } from './task-log.ts'

const describe = (r: Run) =>
  `pid ${r.pid} (worker ${r.parent}) ${new Date(r.startedAt).toISOString().slice(11, 23)}–${r.endedAt ? new Date(r.endedAt).toISOString().slice(11, 23) : 'interrupted'}`

/** Pairs of runs of one submission whose time spans overlap (only runs that ended have a span). */
function overlapping(runs: readonly Run[]): string[] {
  const found: string[] = []
  const bySid = new Map<string, Run[]>()
  for (const r of runs) bySid.set(r.sid, [...(bySid.get(r.sid) ?? []), r])
  for (const [sid, list] of bySid) {
    const sorted = [...list].sort((a, b) => a.startedAt - b.startedAt)
    for (let i = 0; i + 1 < sorted.length; i++) {
      const a = sorted[i]!
      const b = sorted[i + 1]!
      if (a.endedAt !== undefined && b.startedAt < a.endedAt) found.push(`${sid}: ${describe(a)} and ${describe(b)}`)
    }
  }
  return found
}

/**
 * The side effects against the log: a run happens only for a started attempt (runs ≤ TaskStarted
 * events), a completed task had a run that finished, no two runs of one task at once (in-band
 * CONCURRENT lines and overlapping spans), and no run outlives the worker that started it.
 */
export function runChecks(effects: SideEffects, histories: ReadonlyMap<string, TaskHistory>): Check[] {
  const bySid = new Map<string, Run[]>()
  for (const r of effects.runs) bySid.set(r.sid, [...(bySid.get(r.sid) ?? []), r])
  const tasks = [...histories.values()].filter((h) => h.sid !== undefined)
  const sids = new Set(tasks.map((h) => h.sid!))

  const moreRunsThanAttempts = tasks.filter((h) => (bySid.get(h.sid!)?.length ?? 0) > h.started)
  const completedWithoutRun = tasks.filter((h) => h.completed > 0 && !(bySid.get(h.sid!) ?? []).some((r) => r.endedAt !== undefined))
  const strangers = [...bySid.keys()].filter((sid) => !sids.has(sid))
  const overlaps = overlapping(effects.runs)
  const outlived = effects.runs.filter((r) => r.reparentedTo !== undefined)
  const interrupted = effects.runs.filter((r) => r.endedAt === undefined)
  const rerun = tasks.filter((h) => (bySid.get(h.sid!)?.length ?? 0) > 1)

  return [
    info(
      'side-effect runs',
      `${effects.runs.length} runs of ${bySid.size} tasks; ${interrupted.length} interrupted; ${rerun.length} tasks run more than once`,
    ),
    none('side effects: runs > started attempts', moreRunsThanAttempts.length + strangers.length, [
      ...moreRunsThanAttempts.map((h) => `${h.sid} ${h.id}: ${bySid.get(h.sid!)!.length} runs, ${h.started} TaskStarted`),
      ...strangers.map((sid) => `${sid}: ${bySid.get(sid)!.length} runs and no task in the log`),
    ]),
    none(
      'side effects: completed without a finished run',
      completedWithoutRun.length,
      completedWithoutRun.map((h) => `${h.sid} ${h.id}`),
    ),
    none('side effects: CONCURRENT runs of one task', effects.concurrent.length + overlaps.length, [
      ...effects.concurrent.map((c) => `${c.sid}: run ${c.pid} found run ${c.other} alive`),
      ...overlaps,
    ]),
    none(
      'side effects: handler outlived its worker',
      outlived.length,
      outlived.map((r) => `${r.sid}: ${describe(r)}; its worker ${r.parent} died first (parent became ${r.reparentedTo})`),
    ),
    none('side effects: garbled lines in runs.log', effects.garbled),
  ]
}
