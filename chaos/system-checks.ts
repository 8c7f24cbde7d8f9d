import type { CliRun, RebuildDiff, VerifyResult } from './cli-checks.ts'
import type { LagSummary } from './lag.ts'
import { info, none, type Check } from './report.ts'
import type { StopResult } from './role-process.ts'
import { seconds } from './wait.ts'

export type FaultRecord = Readonly<{ fault: string; measure: string; recoveryMs: number | undefined; note?: string }>

export function recoveryChecks(records: readonly FaultRecord[], timeoutMs: number): Check[] {
  return records.map((r) => ({
    check: `recovery: ${r.fault}`,
    value: r.recoveryMs === undefined ? `none within ${seconds(timeoutMs)}` : seconds(r.recoveryMs),
    ok: r.recoveryMs !== undefined,
    details: [`measured as ${r.measure}`, ...(r.note ? [r.note] : [])],
  }))
}

export const conflictsCheck = (rows: number): Check => none('event_conflicts rows', rows)

export function lagChecks(lag: LagSummary): Check[] {
  if (lag.error) return [{ check: 'projector lag at the end', value: `unknown: ${lag.error}`, ok: false }]
  return [
    none(
      'projector lag at the end (checkpoints vs log end)',
      lag.projections.reduce((s, p) => s + p.lag, 0),
      lag.projections.filter((p) => p.lag > 0).map((p) => `${p.name}: ${p.lag}`),
    ),
    none(
      'consumer-group lag at the end (reactors, workers)',
      lag.groups.reduce((s, g) => s + g.lag, 0),
      lag.groups.filter((g) => g.lag > 0).map((g) => `${g.name}: ${g.lag}`),
    ),
  ]
}

export function rebuildCheck(run: CliRun, diff: RebuildDiff): Check {
  if (run.code !== 0 || diff.tables.length === 0)
    return {
      check: 'read models = fold of the log (rebuild --all --dry-run)',
      value: `could not run: exit ${run.code}`,
      ok: false,
      details: run.stderr.trim().split('\n').slice(-5),
    }
  return none(
    'read models = fold of the log (rebuild --all --dry-run)',
    diff.differing,
    [...diff.tables.filter((t) => t.differing > 0).map((t) => `${t.table}: ${t.differing} differing`), ...diff.notes],
    ` differing rows in ${diff.tables.length} tables`,
  )
}

export function verifyCheck(result: VerifyResult): Check {
  if (result.kind === 'unavailable') return info('agentfleet verify', 'not available (unknown command)')
  return {
    check: 'agentfleet verify',
    value: result.kind === 'clean' ? 'clean' : 'FAILED',
    ok: result.kind === 'clean',
    details: [result.detail],
  }
}

export const stopCheck = (stops: readonly StopResult[]): Check =>
  none(
    'roles stopped on SIGTERM (no SIGKILL needed)',
    stops.filter((s) => s.killed).length,
    stops.map((s) => `${s.role} (pid ${s.pid}): ${s.killed ? 'killed after' : 'exited in'} ${seconds(s.ms)}`),
    ` of ${stops.length}`,
  )

export const leftoverChecks = (processes: readonly string[], scripts: readonly string[]): Check[] => [
  none("processes left behind (the run's prefix in their environment)", processes.length, processes),
  none('side-effect scripts still running', scripts.length, scripts),
]
