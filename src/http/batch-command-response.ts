import type { Context, TypedResponse } from 'hono'
import { newId } from '../infra/ids.ts'
import type { CommandContext, CommandResult } from '../commands/handle-command.ts'
import { ValidationError } from '../errors.ts'
import type { CommandIds, IdempotencyStore } from './idempotency.ts'

const idempotencyKey = /^[A-Za-z0-9_.:-]{1,200}$/

/** Runs one request's commands on several aggregates; aggregate ids derive from `ids` so a retry reuses them. */
export type BatchRun = (ids: CommandIds, ctx: CommandContext, isRetry: boolean) => Promise<readonly CommandResult[]>

/** Like respondToCommand, for a request that appends to several aggregates (spawn, terminate). */
export async function respondToBatchCommand<S extends 200 | 201 | 202>(
  c: Context,
  idempotency: IdempotencyStore,
  status: S,
  run: BatchRun,
  // biome-ignore lint: the body is the stored JSON of a BatchAccepted
): Promise<TypedResponse<any, S, 'json'>> {
  const key = c.req.header('idempotency-key')
  if (key !== undefined && !idempotencyKey.test(key))
    throw new ValidationError('Idempotency-Key must be 1-200 characters of letters, digits, _ . : -')
  const correlationId = c.req.header('x-correlation-id') ?? (c.get('requestId' as never) as string | undefined) ?? newId()
  const newIds = (): CommandIds => ({ commandId: newId(), aggregateId: newId() })
  const execute = async (ids: CommandIds, isRetry: boolean) => {
    const results = await run(ids, { commandId: ids.commandId, correlationId, causationId: null, actor: 'api' }, isRetry)
    return { status, body: JSON.stringify({ items: results.map((r) => ({ id: r.aggregateId, version: r.version, events: r.events })) }) }
  }
  const outcome =
    key === undefined
      ? { ...(await execute(newIds(), false)), replayed: false }
      : await idempotency.run(`${c.req.method} ${c.req.path}`, key, `${c.req.method} ${c.req.path} ${await c.req.text()}`, newIds, execute)
  if (outcome.replayed) c.header('idempotent-replayed', 'true')
  return c.json(JSON.parse(outcome.body), outcome.status as S)
}
