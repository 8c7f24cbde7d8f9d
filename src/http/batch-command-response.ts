import type { Context, TypedResponse } from 'hono'
import type { CommandContext, CommandResult } from '../commands/handle-command.ts'
import { runCommandRequest } from './command-request.ts'
import type { CommandIds, IdempotencyStore } from './idempotency.ts'

/** Runs one request's commands on several aggregates; aggregate ids derive from `ids` so a repeat reuses them. */
export type BatchRun = (ids: CommandIds, ctx: CommandContext, mayExist: boolean) => Promise<readonly CommandResult[]>

/** Like respondToCommand, for a request that appends to several aggregates (spawn, terminate). */
export async function respondToBatchCommand<S extends 200 | 201 | 202>(
  c: Context,
  idempotency: IdempotencyStore,
  status: S,
  run: BatchRun,
  // biome-ignore lint: the body is the stored JSON of a BatchAccepted
): Promise<TypedResponse<any, S, 'json'>> {
  const outcome = await runCommandRequest(c, idempotency, async (ids, ctx, mayExist) => {
    const results = await run(ids, ctx, mayExist)
    return { status, body: JSON.stringify({ items: results.map((r) => ({ id: r.aggregateId, version: r.version, events: r.events })) }) }
  })
  if (outcome.replayed) c.header('idempotent-replayed', 'true')
  return c.json(JSON.parse(outcome.body), outcome.status as S)
}
