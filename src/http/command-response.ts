import type { Context, TypedResponse } from 'hono'
import { newId } from '../infra/ids.ts'
import type { CommandContext, CommandResult } from '../commands/handle-command.ts'
import { ValidationError } from '../errors.ts'
import type { CommandIds, IdempotencyStore } from './idempotency.ts'

const idempotencyKey = /^[A-Za-z0-9_.:-]{1,200}$/

export type CommandRun = (ids: CommandIds, ctx: CommandContext, isRetry: boolean) => Promise<CommandResult>

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
  const key = c.req.header('idempotency-key')
  if (key !== undefined && !idempotencyKey.test(key))
    throw new ValidationError('Idempotency-Key must be 1-200 characters of letters, digits, _ . : -')
  const correlationId = c.req.header('x-correlation-id') ?? (c.get('requestId' as never) as string | undefined) ?? newId()
  const newIds = (): CommandIds => ({ commandId: newId(), aggregateId: fixedAggregateId ?? newId() })
  const context = (ids: CommandIds): CommandContext => ({ commandId: ids.commandId, correlationId, causationId: null, actor: 'api' })
  const execute = async (ids: CommandIds, isRetry: boolean) => {
    const result = await run(ids, context(ids), isRetry)
    return { status, body: JSON.stringify({ id: result.aggregateId, version: result.version, events: result.events }) }
  }
  const outcome =
    key === undefined
      ? { ...(await execute(newIds(), false)), replayed: false }
      : await idempotency.run(`${c.req.method} ${c.req.path}`, key, `${c.req.method} ${c.req.path} ${await c.req.text()}`, newIds, execute)
  if (outcome.replayed) c.header('idempotent-replayed', 'true')
  return c.json(JSON.parse(outcome.body), outcome.status as S)
}
