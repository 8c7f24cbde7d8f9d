import type { Context, TypedResponse } from 'hono'
import type { CommandContext, CommandResult } from '../commands/handle-command.ts'
import { runCommandRequest } from './command-request.ts'
import type { CommandIds, IdempotencyStore } from './idempotency.ts'

/** `mayExist`: the ids may have been used before (a keyed request), so the command cannot take the fresh-id shortcut. */
export type CommandRun = (ids: CommandIds, ctx: CommandContext, mayExist: boolean) => Promise<CommandResult>

/**
 * Runs a command endpoint: builds the command context (correlation from the request), honours
 * Idempotency-Key, and answers with the new version so clients can read their write.
 */
export async function respondToCommand<S extends 200 | 201 | 202>(
  c: Context,
  idempotency: IdempotencyStore,
  status: S,
  run: CommandRun,
  fixedAggregateId?: string,
  // biome-ignore lint: the body is the stored JSON of a CommandAccepted
): Promise<TypedResponse<any, S, 'json'>> {
  const outcome = await runCommandRequest(
    c,
    idempotency,
    async (ids, ctx, mayExist) => {
      const result = await run(ids, ctx, mayExist)
      return { status, body: JSON.stringify({ id: result.aggregateId, version: result.version, events: result.events }) }
    },
    fixedAggregateId,
  )
  if (outcome.replayed) c.header('idempotent-replayed', 'true')
  return c.json(JSON.parse(outcome.body), outcome.status as S)
}
