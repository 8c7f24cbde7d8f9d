import type { CommandContext, CommandHandler } from '../../commands/handle-command.ts'
import type { TaskCommand } from '../../commands/task/task.commands.ts'
import { taskDecider } from '../../commands/task/task.decider.ts'
import { DomainError } from '../../errors.ts'
import type { Db } from '../../infra/postgres.ts'
import { pollUntil } from '../../infra/retry.ts'
import { knownTaskIds } from '../../projections/tasks/task-graph.queries.ts'
import type { IdempotencyStore } from '../idempotency.ts'
import type { PoolGate } from '../pool-gate.ts'
import type { VersionWaiter } from '../../projections/read-your-writes.ts'

export type TaskRouteDeps = Readonly<{
  execute: CommandHandler
  db: Db
  idempotency: IdempotencyStore
  readWaitMs: number
  waitForVersion: VersionWaiter
  pools: PoolGate
}>

export const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } })

/** Runs one task command through the append path. */
export const taskCommand = (deps: TaskRouteDeps, id: string, command: TaskCommand, ctx: CommandContext, expectNew = false) =>
  deps.execute('task', id, taskDecider, command, ctx, { expectNew })

/**
 * Refuses dependency ids the tasks read model does not know. A task created a moment ago may not
 * be projected yet, so missing ids are awaited for the read-your-writes window before refusing.
 */
export async function requireKnownTasks(deps: TaskRouteDeps, ids: readonly string[]): Promise<void> {
  const wanted = [...new Set(ids)]
  let missing: string[] = []
  const allKnown = await pollUntil(
    async () => {
      const known = await knownTaskIds(deps.db, wanted)
      missing = wanted.filter((d) => !known.has(d))
      return missing.length === 0 ? true : undefined
    },
    { timeoutMs: deps.readWaitMs, minMs: 5, maxMs: 50 },
  )
  if (!allKnown) throw new DomainError('task.unknown-dependency', `no task ${missing.join(', ')}`, { details: { unknown: missing } })
}
