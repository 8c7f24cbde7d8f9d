import { newId } from '../../infra/ids.ts'
import type { CommandContext, CommandHandler, CommandResult } from '../../commands/handle-command.ts'
import { taskDecider } from '../../commands/task/task.decider.ts'
import { AppError } from '../../errors.ts'
import type { Db } from '../../infra/postgres.ts'
import { deadLetterIds, type DeadLetterFilters } from '../../projections/task-failures/dead-letters.queries.ts'

export type DeadLetterActionDeps = Readonly<{ execute: CommandHandler; db: Db }>

/** Most dead letters one bulk action touches; repeat the action for more. */
export const bulkLimit = 10_000
const concurrency = 8

export type BulkOutcome = { matched: number; count: number; refused: { id: string; code: string }[] }

export const requeueDeadLetter = (execute: CommandHandler, id: string, ctx: CommandContext): Promise<CommandResult> =>
  execute('task', id, taskDecider, { type: 'RequeueTask' }, ctx)

export const purgeDeadLetter = (execute: CommandHandler, id: string, reason: string | null, ctx: CommandContext): Promise<CommandResult> =>
  execute('task', id, taskDecider, { type: 'PurgeTask', reason }, ctx)

const contextFor = (actor: string, correlationId: string): CommandContext => ({
  commandId: newId(),
  correlationId,
  causationId: null,
  actor,
})

/**
 * Applies one action to every dead letter matching the filters (as the read model sees them).
 * A task the decider refuses (requeued or purged meanwhile) is reported, not counted.
 */
async function bulk(
  deps: DeadLetterActionDeps,
  filters: DeadLetterFilters,
  act: (id: string) => Promise<CommandResult>,
): Promise<BulkOutcome> {
  const ids = await deadLetterIds(deps.db, filters, bulkLimit)
  const refused: { id: string; code: string }[] = []
  let count = 0
  let next = 0
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!
      try {
        const result = await act(id)
        if (result.events.length > 0) count++
      } catch (error) {
        if (!(error instanceof AppError) || error.retriable) throw error
        refused.push({ id, code: error.code })
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker))
  return { matched: ids.length, count, refused }
}

export const requeueDeadLetters = (
  deps: DeadLetterActionDeps,
  filters: DeadLetterFilters,
  actor: string,
  correlationId = newId(),
): Promise<BulkOutcome> => bulk(deps, filters, (id) => requeueDeadLetter(deps.execute, id, contextFor(actor, correlationId)))

export const purgeDeadLetters = (
  deps: DeadLetterActionDeps,
  filters: DeadLetterFilters,
  reason: string | null,
  actor: string,
  correlationId = newId(),
): Promise<BulkOutcome> => bulk(deps, filters, (id) => purgeDeadLetter(deps.execute, id, reason, contextFor(actor, correlationId)))
