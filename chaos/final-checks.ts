import { sql } from 'kysely'
import { interpretVerify, parseRebuildDryRun, runAgentfleet } from './cli-checks.ts'
import type { ChaosEnvironment } from './environment.ts'
import { settledLag } from './lag.ts'
import type { Ledger } from './ledger.ts'
import { findLeftovers } from './leftovers.ts'
import { none, type Check } from './report.ts'
import { stopRoles, type Roles } from './roles.ts'
import { runChecks } from './run-checks.ts'
import { readSideEffects } from './side-effects.ts'
import {
  conflictsCheck,
  lagChecks,
  leftoverChecks,
  rebuildCheck,
  recoveryChecks,
  stopCheck,
  verifyCheck,
  type FaultRecord,
} from './system-checks.ts'
import { taskChecks, type TaskRow } from './task-checks.ts'
import { readTaskHistories } from './task-log.ts'

/**
 * The evidence once the system has settled, in an order where one reading cannot disturb the
 * next: lag (before any reader of the log creates a group), conflicts, the read model, the log,
 * the side effects; then every role is stopped and the leftovers counted; then the offline
 * checks (rebuild dry run, verify), which need no role.
 */
export async function finalChecks(deps: {
  env: ChaosEnvironment
  roles: Roles
  ledger: Ledger
  faults: readonly FaultRecord[]
  url: string
  cwd: string
  stopDeadlineMs: number
  recoveryTimeoutMs: number
  log: (line: string) => void
}): Promise<Check[]> {
  const { env, log } = deps
  const { db } = env.services
  log('checking: lag, conflicts, read model, log, side effects')
  const lag = await settledLag(deps.url, 30_000)
  const { rows: conflictRows } = await sql<{ n: number }>`select count(*)::int as n from event_conflicts`.execute(db)
  const rows = new Map<string, TaskRow>((await db.selectFrom('tasks').select(['id', 'status', 'attempt']).execute()).map((r) => [r.id, r]))
  const histories = await readTaskHistories(env.services)
  const effects = readSideEffects(env.sideEffectsDir)

  log('stopping every role (SIGTERM; SIGKILL after the deadline)')
  const stops = await stopRoles(deps.roles, deps.stopDeadlineMs)
  const leftovers = await findLeftovers(env.ns.prefix, env.sideEffectsDir, 10_000)

  log('rebuilding every read model from the log (dry run) and verifying the log')
  const rebuild = await runAgentfleet(['rebuild', '--all', '--dry-run'], env.ns.driverEnv, deps.cwd, 300_000)
  const verify = await runAgentfleet(['verify'], env.ns.driverEnv, deps.cwd, 300_000)

  return [
    ...taskChecks(deps.ledger.entries(), histories, rows),
    ...runChecks(effects, histories),
    conflictsCheck(conflictRows[0]?.n ?? 0),
    ...lagChecks(lag),
    rebuildCheck(rebuild, parseRebuildDryRun(rebuild.stdout)),
    verifyCheck(interpretVerify(verify)),
    none(
      'roles that exited by themselves',
      Object.values(deps.roles).flatMap((r) => r.unexpectedExits()).length,
      Object.values(deps.roles).flatMap((r) => r.unexpectedExits().map((e) => `${r.role}: ${e}`)),
    ),
    stopCheck(stops),
    ...leftoverChecks(leftovers.processes, leftovers.scripts),
    ...recoveryChecks(deps.faults, deps.recoveryTimeoutMs),
  ]
}
